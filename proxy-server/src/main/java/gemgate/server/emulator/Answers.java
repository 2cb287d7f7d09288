package gemgate.server.emulator;

import gemgate.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the emulator's response bodies as JSON trees by filling in the recorded {@link Samples}: answer text, token
 * counts (about one token per four characters), model version and response id. Pure apart from random response ids.
 */
final class Answers {
    static final String PREFIX = "[gemini-emulator] ";
    static final int ECHO_LIMIT = 200;
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final Samples samples;
    private final Candidates candidates;

    Answers(Samples samples) {
        this.samples = samples;
        this.candidates = new Candidates(samples);
    }

    /**
     * What the emulator needs from a generate request: the last user text, the prompt's size, how many candidates it
     * asks for (generationConfig.candidateCount, 1 to 8) and whether it enables the googleSearch tool.
     */
    record Prompt(String lastUserText, int promptChars, int candidates, boolean googleSearch) {
        Prompt(String lastUserText, int promptChars) {
            this(lastUserText, promptChars, 1, false);
        }

        int tokens() {
            return Math.max(1, Answers.tokens(promptChars));
        }
    }

    static Prompt prompt(Map<String, Object> body) {
        if (body == null) {
            return new Prompt("", 0);
        }
        Map<String, Object> nested = Json.obj(body, "generateContentRequest");
        if (nested != null && !body.containsKey("contents")) {
            body = nested;
        }
        int chars = 0;
        String last = "";
        List<Object> contents = Json.list(body, "contents");
        if (contents != null) {
            for (Object c : contents) {
                Map<String, Object> content = Json.asObject(c);
                String text = partsText(content);
                chars += text.length();
                String role = Json.str(content, "role");
                if (content != null && (role == null || "user".equals(role)) && !text.isEmpty()) {
                    last = text;
                }
            }
        }
        Map<String, Object> system = Json.obj(body, "systemInstruction");
        chars += partsText(system != null ? system : Json.obj(body, "system_instruction")).length();
        Map<String, Object> gen = RequestChecks.field(body, "generationConfig", "generation_config");
        Object n = gen == null ? null : gen.containsKey("candidateCount") ? gen.get("candidateCount") : gen.get("candidate_count");
        int candidates = n instanceof Long l ? (int) Math.max(1, Math.min(8, l)) : 1;
        boolean search = false;
        List<Object> tools = Json.list(body, "tools");
        for (Object t : tools == null ? List.of() : tools) {
            Map<String, Object> tool = Json.asObject(t);
            search |= tool != null && (tool.containsKey("googleSearch") || tool.containsKey("google_search")
                    || tool.containsKey("googleSearchRetrieval") || tool.containsKey("google_search_retrieval"));
        }
        return new Prompt(last, chars, candidates, search);
    }

    private static String partsText(Map<String, Object> content) {
        List<Object> parts = Json.list(content, "parts");
        if (parts == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            String t = Json.str(Json.asObject(p), "text");
            if (t != null) {
                sb.append(t);
            }
        }
        return sb.toString();
    }

    static int tokens(int chars) {
        return chars <= 0 ? 0 : (chars + 3) / 4;
    }

    static String answerText(Behavior b, Prompt p) {
        if (b.text != null) {
            return b.text;
        }
        if (p.lastUserText().isEmpty()) {
            return PREFIX + "Hello from the Gemini emulator. This answer is emulated; no real model was called.";
        }
        return PREFIX + "You said: " + head(p.lastUserText(), ECHO_LIMIT);
    }

    static String thoughtText(Prompt p) {
        return "**Emulated thinking**\n\nThe user wrote \"" + head(p.lastUserText(), 80)
                + "\". The Gemini emulator is not a model, so it only pretends to think before answering.\n";
    }

    /** The first {@code n} code points. */
    static String head(String s, int n) {
        return s.codePointCount(0, s.length()) <= n ? s : s.substring(0, s.offsetByCodePoints(0, n));
    }

    /** Splits {@code text} into {@code count} pieces of nearly equal code-point length that concatenate back to it. */
    static List<String> split(String text, int count) {
        int cps = text.codePointCount(0, text.length());
        List<String> out = new ArrayList<>(count);
        int from = 0;
        for (int i = 0; i < count; i++) {
            int take = cps / count + (i < cps % count ? 1 : 0);
            int to = text.offsetByCodePoints(from, take);
            out.add(text.substring(from, to));
            from = to;
        }
        return out;
    }

    static String responseId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[23];
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_CHARS.charAt(r.nextInt(ID_CHARS.length()));
        }
        return new String(c);
    }

    // ---- generateContent ----

    /** The unary generateContent body for a success kind. */
    Map<String, Object> unary(Behavior b, String model, Prompt p, String responseId) {
        int pt = p.tokens();
        String version = b.modelVersion != null ? b.modelVersion : model;
        Map<String, Object> r;
        switch (b.kind) {
            case OK, SAFETY_FINISH -> {
                String text = answerText(b, p);
                r = WireJson.copy(b.kind == Behavior.Kind.OK ? samples.unaryOk : samples.unarySafety);
                Samples.firstCandidateContent(r).put("parts", List.of(signed(Json.object("text", text), b)));
                r.put("usageMetadata", usage(pt, tokens(text.length()), 0, true));
            }
            case THINKING -> {
                String text = answerText(b, p);
                String thought = b.thought != null ? b.thought : thoughtText(p);
                r = WireJson.copy(samples.unaryThinking);
                Samples.firstCandidateContent(r).put("parts", List.of(
                        Json.object("text", thought, "thought", true), signed(Json.object("text", text), b)));
                r.put("usageMetadata", usage(pt, tokens(text.length()), tokens(thought.length()), false));
            }
            case FUNCTION_CALL -> {
                r = WireJson.copy(samples.toolCall);
                List<Object> parts = new ArrayList<>();
                if (b.thought != null) {
                    parts.add(Json.object("text", b.thought, "thought", true));
                }
                parts.addAll(candidates.callParts(b, model));
                Samples.firstCandidateContent(r).put("parts", parts);
                r.put("usageMetadata", usage(pt, Candidates.callTokens(b), b.thought == null ? 0 : tokens(b.thought.length()), false));
            }
            case GROUNDED -> {
                String text = groundedText(b);
                r = WireJson.copy(samples.grounded);
                Samples.firstCandidateContent(r).put("parts", List.of(signed(Json.object("text", text), b)));
                candidates.ground(Json.asObject(Json.list(r, "candidates").get(0)), p, text);
                r.put("usageMetadata", candidates.searchUsage(usage(pt, tokens(text.length()), 0, true), p));
            }
            case EMPTY -> {
                r = Json.object();
                Map<String, Object> cand = WireJson.copy(samples.emptyCandidate);
                cand.put("finishReason", "STOP");
                cand.put("index", 0L);
                r.put("candidates", new ArrayList<Object>(List.of(cand)));
                r.put("usageMetadata", usage(pt, 0, 0, false));
            }
            case NO_CANDIDATES -> {
                r = Json.object();
                r.put("usageMetadata", usage(pt, 0, 0, false));
            }
            case PROMPT_BLOCKED -> {
                r = WireJson.copy(samples.promptBlocked);
                r.put("usageMetadata", usage(pt, 0, 0, false));
            }
            default -> throw new IllegalArgumentException("not a success behaviour: " + b);
        }
        Candidates.multiply(r, p.candidates(), true);
        r.put("modelVersion", version);
        r.put("responseId", responseId);
        return r;
    }

    /** The events of a streamed answer, each a full GenerateContentResponse with cumulative usage. */
    List<Map<String, Object>> stream(Behavior b, String model, Prompt p, String responseId) {
        int pt = p.tokens();
        String version = b.modelVersion != null ? b.modelVersion : model;
        List<Map<String, Object>> events = new ArrayList<>();
        switch (b.kind) {
            case OK, SAFETY_FINISH, THINKING, GROUNDED -> {
                int thoughts = 0;
                if (b.kind == Behavior.Kind.THINKING) {
                    String thought = b.thought != null ? b.thought : thoughtText(p);
                    thoughts = tokens(thought.length());
                    Map<String, Object> e = WireJson.copy(samples.streamMiddle);
                    Samples.firstCandidateContent(e).put("parts", List.of(Json.object("text", thought, "thought", true)));
                    e.put("usageMetadata", usage(pt, 0, thoughts, false));
                    events.add(e);
                }
                String text = b.kind == Behavior.Kind.GROUNDED ? groundedText(b) : answerText(b, p);
                List<String> pieces = split(text, b.chunks);
                int sent = 0;
                for (int i = 0; i < pieces.size(); i++) {
                    boolean last = i == pieces.size() - 1;
                    sent += pieces.get(i).length();
                    Map<String, Object> e = WireJson.copy(last ? samples.streamLast : samples.streamMiddle);
                    Map<String, Object> part = Json.object("text", pieces.get(i));
                    Samples.firstCandidateContent(e).put("parts", List.of(last ? signed(part, b) : part));
                    Map<String, Object> cand = Json.asObject(Json.list(e, "candidates").get(0));
                    if (last && b.kind == Behavior.Kind.SAFETY_FINISH) {
                        Map<String, Object> recorded = Json.asObject(Json.list(samples.unarySafety, "candidates").get(0));
                        cand.put("finishReason", "SAFETY");
                        cand.put("safetyRatings", WireJson.copy(recorded.get("safetyRatings")));
                    }
                    Map<String, Object> u = usage(pt, tokens(sent), thoughts, last);
                    if (b.kind == Behavior.Kind.GROUNDED) {
                        u = candidates.searchUsage(u, p);
                        if (last) {
                            candidates.ground(cand, p, text);
                        }
                    }
                    e.put("usageMetadata", u);
                    events.add(e);
                }
            }
            case FUNCTION_CALL -> events.addAll(candidates.callEvents(b, model, pt));
            default -> events.add(unary(b, model, p, responseId));
        }
        int lastText = Candidates.lastAnswerTextEvent(events);
        for (int i = 0; i < events.size(); i++) {
            Map<String, Object> e = events.get(i);
            Candidates.multiply(e, p.candidates(), i == lastText);
            e.put("modelVersion", version);
            e.put("responseId", responseId);
        }
        return events;
    }

    /** The part with the behaviour's thoughtSignature added, when it sets one (Gemini 3 signs the last part). */
    private static Map<String, Object> signed(Map<String, Object> part, Behavior b) {
        if (b.thoughtSignature != null) {
            part.put("thoughtSignature", b.thoughtSignature);
        }
        return part;
    }

    private String groundedText(Behavior b) {
        return b.text != null ? b.text : candidates.recordedGroundedText();
    }

    /** usageMetadata in the recorded member order; details per modality as in the samples. */
    static Map<String, Object> usage(int prompt, int candidates, int thoughts, boolean candidateDetails) {
        Map<String, Object> u = Json.object();
        u.put("promptTokenCount", (long) prompt);
        if (candidates > 0) {
            u.put("candidatesTokenCount", (long) candidates);
        }
        u.put("totalTokenCount", (long) prompt + candidates + thoughts);
        u.put("promptTokensDetails", List.of(Json.object("modality", "TEXT", "tokenCount", (long) prompt)));
        if (candidateDetails && candidates > 0) {
            u.put("candidatesTokensDetails", List.of(Json.object("modality", "TEXT", "tokenCount", (long) candidates)));
        }
        if (thoughts > 0) {
            u.put("thoughtsTokenCount", (long) thoughts);
        }
        return u;
    }

    // ---- other model methods ----

    static Map<String, Object> countTokens(Prompt p) {
        long n = p.tokens();
        return Json.object("totalTokens", n,
                "promptTokensDetails", List.of(Json.object("modality", "TEXT", "tokenCount", n)));
    }

    /** Values per embedding when the request sets no outputDimensionality (real models have 768 to 3072). */
    static final int DEFAULT_DIMENSIONS = 8;

    /** Eight deterministic values in [-1, 1] derived from the text, so equal texts embed equally. */
    static Map<String, Object> embedding(String text) {
        return embedding(text, DEFAULT_DIMENSIONS);
    }

    /**
     * {@code dimensions} deterministic values in [-1, 1] derived from the text; a shorter vector is a prefix of a
     * longer one for the same text, as Google truncates for outputDimensionality.
     */
    static Map<String, Object> embedding(String text, int dimensions) {
        long seed = text.hashCode() * 0x9E3779B97F4A7C15L + 1;
        List<Object> values = new ArrayList<>(dimensions);
        for (int i = 0; i < dimensions; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            double v = ((seed >>> 11) / (double) (1L << 53)) * 2 - 1;
            values.add(Math.round(v * 1e6) / 1e6);
        }
        return Json.object("values", values);
    }

    static String embedText(Map<String, Object> request) {
        return partsText(Json.obj(request, "content"));
    }

    /** The request's outputDimensionality, the default when absent; -1 when it is not a sensible number. */
    static int dimensions(Map<String, Object> request) {
        Object d = request == null ? null : request.get("outputDimensionality");
        if (d == null) {
            return DEFAULT_DIMENSIONS;
        }
        return d instanceof Long l && l >= 1 && l <= 4096 ? l.intValue() : -1;
    }

    /** A models.list page; {@code null} when the page token is not one this emulator issued. */
    Map<String, Object> modelsPage(int pageSize, String pageToken) {
        int size = pageSize <= 0 ? samples.firstPageSize : Math.min(pageSize, 1000);
        int start = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            String after = decodeToken(pageToken);
            start = -1;
            for (int i = 0; after != null && i < samples.models.size(); i++) {
                if (after.equals(Json.str(Json.asObject(samples.models.get(i)), "name"))) {
                    start = i + 1;
                }
            }
            if (start < 0) {
                return null;
            }
        }
        int end = Math.min(samples.models.size(), start + size);
        Map<String, Object> page = Json.object("models", WireJson.copy(new ArrayList<>(samples.models.subList(start, end))));
        if (end < samples.models.size()) {
            page.put("nextPageToken", encodeToken(Json.str(Json.asObject(samples.models.get(end - 1)), "name")));
        }
        return page;
    }

    /** Google's token is a base64 protobuf whose field 1 is the last listed name; the recorded page 1 token matches. */
    static String encodeToken(String lastName) {
        byte[] name = lastName.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length + 3);
        out.write(0x0a);
        int len = name.length;
        while (len >= 0x80) {
            out.write((len & 0x7f) | 0x80);
            len >>>= 7;
        }
        out.write(len);
        out.write(name, 0, name.length);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    static String decodeToken(String token) {
        try {
            byte[] b = Base64.getDecoder().decode(token);
            if (b.length < 2 || b[0] != 0x0a) {
                return null;
            }
            int len = 0;
            int shift = 0;
            int i = 1;
            while (i < b.length) {
                int v = b[i++] & 0xff;
                len |= (v & 0x7f) << shift;
                shift += 7;
                if (v < 0x80) {
                    break;
                }
            }
            return i + len == b.length ? new String(b, i, len, StandardCharsets.UTF_8) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---- errors, in google.rpc.Status shape ----

    static Map<String, Object> error(int code, String status, String message) {
        return Json.object("error", Json.object("code", (long) code, "message", message, "status", status));
    }

    /** The body for an error behaviour. */
    Map<String, Object> errorFor(Behavior b) {
        switch (b.kind) {
            case INVALID_KEY: {
                Map<String, Object> r = WireJson.copy(samples.invalidKey);
                // The recorded DebugInfo echoes the key; Google does not send it to API-key callers.
                Json.list(Json.obj(r, "error"), "details").removeIf(d ->
                        "type.googleapis.com/google.rpc.DebugInfo".equals(Json.str(Json.asObject(d), "@type")));
                return r;
            }
            case PERMISSION_DENIED:
                return WireJson.copy(samples.permissionDenied);
            case QUOTA_EXCEEDED: {
                Map<String, Object> r = WireJson.copy(samples.quotaExceeded);
                for (Object d : Json.list(Json.obj(r, "error"), "details")) {
                    Map<String, Object> detail = Json.asObject(d);
                    String type = Json.str(detail, "@type");
                    if (type.endsWith("QuotaFailure")) {
                        Json.asObject(Json.list(detail, "violations").get(0)).put("quotaId", b.perDay
                                ? "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
                                : "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
                    } else if (type.endsWith("RetryInfo")) {
                        detail.put("retryDelay", b.retryDelay);
                    }
                }
                return r;
            }
            case SERVER_ERROR:
                if (b.status == 503) {
                    return error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
                }
                if (b.status == 504) {
                    return error(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.");
                }
                return error(b.status, "INTERNAL", "An internal error has occurred. Please retry or report in "
                        + "https://developers.generativeai.google/guide/troubleshooting");
            case BAD_REQUEST:
                return error(400, "INVALID_ARGUMENT", b.message);
            default:
                throw new IllegalArgumentException("not an error behaviour: " + b);
        }
    }

    static Map<String, Object> noKey() {
        return error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established "
                + "identity). Please use API Key or other form of API consumer identity to call this API.");
    }

    static Map<String, Object> routeNotFound() {
        return error(404, "NOT_FOUND", "Method not found.");
    }

    static Map<String, Object> invalidJson(String detail) {
        return error(400, "INVALID_ARGUMENT", "Invalid JSON payload received. " + detail);
    }

    Map<String, Object> modelNotFound(String model, String apiVersion, String method) {
        Map<String, Object> r = WireJson.copy(samples.notFound);
        Json.obj(r, "error").put("message", "models/" + model + " is not found for API version " + apiVersion
                + ", or is not supported for " + method + ". Call ListModels to see the list of available models and "
                + "their supported methods.");
        return r;
    }

    Map<String, Object> batchLimit() {
        return WireJson.copy(samples.batchLimit);
    }
}
