package gemgate.server.emulator;

import gemgate.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The recorded Gemini responses the emulator answers from, read once from the classpath ({@code /emulator/}) when
 * the emulator starts, never per request. Trees here are shared and must not be changed: use {@link WireJson#copy}.
 */
final class Samples {
    private static final String DIR = "/emulator/";

    final Map<String, Object> unaryOk;
    final Map<String, Object> unaryThinking;
    final Map<String, Object> unarySafety;
    /** A streamed event that is not the last one (no finishReason). */
    final Map<String, Object> streamMiddle;
    /** The last streamed event (finishReason, candidatesTokensDetails). */
    final Map<String, Object> streamLast;
    final Map<String, Object> promptBlocked;
    /** A candidate whose content has a role but no parts. */
    final Map<String, Object> emptyCandidate;
    final Map<String, Object> invalidKey;
    final Map<String, Object> permissionDenied;
    final Map<String, Object> notFound;
    final Map<String, Object> quotaExceeded;
    final Map<String, Object> batchLimit;
    /** A Gemini 3 function-call answer: one functionCall part with a thoughtSignature, finishMessage. */
    final Map<String, Object> toolCall;
    /** Its stream: the call event (no finishReason), then an empty text part with the finishReason. */
    final List<Map<String, Object>> toolCallEvents;
    /** The signature recorded on the function call, sent by default on Gemini 3 function calls. */
    final String toolCallSignature;
    /** An answer grounded with Google Search (groundingChunks, groundingSupports, webSearchQueries, searchEntryPoint). */
    final Map<String, Object> grounded;
    /** usageMetadata of a streamed google_search answer (toolUsePromptTokenCount and its details). */
    final Map<String, Object> searchUsage;
    /** Both models.list pages joined, in order. */
    final List<Object> models;
    final int firstPageSize;

    private Samples() {
        unaryOk = object("unary-success-basic-reply-short.json");
        unaryThinking = object("unary-success-thinking-reply-thought-summary.json");
        unarySafety = object("unary-failure-finish-reason-safety.json");
        List<Map<String, Object>> basic = events("streaming-success-basic-reply-short.txt");
        streamMiddle = basic.get(0);
        streamLast = basic.get(basic.size() - 1);
        promptBlocked = events("streaming-failure-prompt-blocked-safety.txt").get(0);
        Map<String, Object> emptyEvent = events("streaming-success-empty-parts.txt").stream()
                .filter(e -> !firstCandidateContent(e).containsKey("parts"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("emulator sample without an empty candidate"));
        emptyCandidate = Json.asObject(Json.list(emptyEvent, "candidates").get(0));
        invalidKey = object("unary-failure-api-key.json");
        permissionDenied = object("unary-failure-generativelanguage-api-not-enabled.json");
        notFound = object("error-404-model-not-found-v1beta-real.json");
        quotaExceeded = object("google-429-retry-info.json");
        batchLimit = object("google-embedding-batch-limit-error.json");
        toolCall = object("google-tool-call-gemini3.json");
        toolCallEvents = List.copyOf(jsonLines("google-tool-call-gemini3.chunks.txt"));
        toolCallSignature = Json.str(Json.asObject(Json.list(firstCandidateContent(toolCall), "parts").get(0)), "thoughtSignature");
        grounded = object("generateContent-google-search-grounding-metadata.json");
        List<Map<String, Object>> search = jsonLines("issue-19822-google-search-live.chunks.txt");
        searchUsage = Json.obj(search.get(search.size() - 1), "usageMetadata");
        List<Object> page1 = Json.list(object("models-list-v1beta-page1-real.json"), "models");
        List<Object> all = new ArrayList<>(page1);
        all.addAll(Json.list(object("models-page2-emulator.json"), "models"));
        models = Collections.unmodifiableList(all);
        firstPageSize = page1.size();
    }

    static Samples load() {
        return new Samples();
    }

    /** The model entry named {@code models/<id>}, or null. */
    Map<String, Object> model(String id) {
        String name = "models/" + id;
        for (Object m : models) {
            if (name.equals(Json.str(Json.asObject(m), "name"))) {
                return Json.asObject(m);
            }
        }
        return null;
    }

    static Map<String, Object> firstCandidateContent(Map<String, Object> response) {
        Map<String, Object> c = Json.obj(Json.asObject(Json.list(response, "candidates").get(0)), "content");
        return c == null ? Map.of() : c;
    }

    private static Map<String, Object> object(String file) {
        return Json.parseObject(bytes(file));
    }

    /** The JSON payloads of a recorded {@code alt=sse} body ({@code data: {json}} events, CRLF or LF framed). */
    private static List<Map<String, Object>> events(String file) {
        String text = new String(bytes(file), StandardCharsets.UTF_8);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("data: ")) {
                out.add(Json.parseObject(line.substring(6).getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("emulator sample " + file + " has no data: events");
        }
        return out;
    }

    /** One JSON payload per line (vercel's {@code .chunks.txt}: SSE data without the framing). */
    private static List<Map<String, Object>> jsonLines(String file) {
        String text = new String(bytes(file), StandardCharsets.UTF_8);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (!line.isBlank()) {
                out.add(Json.parseObject(line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("emulator sample " + file + " has no JSON lines");
        }
        return out;
    }

    static byte[] bytes(String file) {
        try (InputStream in = Samples.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("emulator sample missing from the classpath: " + DIR + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read emulator sample " + file, e);
        }
    }
}
