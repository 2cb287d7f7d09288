package gemgate.core.gemini;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A generateContent response (or one streamGenerateContent chunk), reduced to what the OpenAI side needs. Parsing is
 * lenient: missing candidates, content or parts are simply empty, and unknown fields are ignored.
 */
public final class GeminiResponse {
    private static final Set<String> EMPTY_FINISH = Set.of("STOP", "OTHER", "FINISH_REASON_UNSPECIFIED");

    private final List<GeminiCandidate> candidates;
    private final String blockReason;
    private final String blockReasonMessage;
    private final GeminiUsage usage;
    private final boolean hasUsage;

    private GeminiResponse(List<GeminiCandidate> candidates, String blockReason, String blockReasonMessage,
                           GeminiUsage usage, boolean hasUsage) {
        this.candidates = List.copyOf(candidates);
        this.blockReason = blockReason;
        this.blockReasonMessage = blockReasonMessage;
        this.usage = usage;
        this.hasUsage = hasUsage;
    }

    /** Parses a generateContent body; throws ApiException (upstreamFailed, 502) if it is not a JSON object. */
    public static GeminiResponse parse(byte[] body) {
        try {
            return fromTree(Json.parseObject(body));
        } catch (JsonException e) {
            throw new ApiException(ApiError.upstreamFailed("Gemini sent an unreadable answer: " + e.getMessage()));
        }
    }

    public static GeminiResponse fromTree(Map<String, Object> tree) {
        List<GeminiCandidate> cands = new ArrayList<>();
        List<Object> cl = Json.list(tree, "candidates");
        if (cl != null) {
            for (int i = 0; i < cl.size(); i++) {
                Map<String, Object> c = Json.asObject(cl.get(i));
                if (c == null) {
                    continue;
                }
                int index = (int) Json.num(c, "index", i);
                Map<String, Object> grounding = Json.obj(c, "groundingMetadata");
                cands.add(new GeminiCandidate(index, parts(Json.list(Json.obj(c, "content"), "parts")),
                        Json.str(c, "finishReason"), Json.str(c, "finishMessage"), sources(grounding),
                        strings(Json.list(grounding, "webSearchQueries")), logprobs(Json.obj(c, "logprobsResult"))));
            }
        }
        Map<String, Object> feedback = Json.obj(tree, "promptFeedback");
        String block = Json.str(feedback, "blockReason");
        if ("BLOCK_REASON_UNSPECIFIED".equals(block)) {
            block = "OTHER";
        }
        Map<String, Object> um = Json.obj(tree, "usageMetadata");
        GeminiUsage usage = um == null ? GeminiUsage.NONE : new GeminiUsage(
                Json.num(um, "promptTokenCount", 0), Json.num(um, "candidatesTokenCount", 0),
                Json.num(um, "thoughtsTokenCount", 0), Json.num(um, "totalTokenCount", 0),
                Json.num(um, "cachedContentTokenCount", -1));
        String blockMessage = block == null ? null : Json.str(feedback, "blockReasonMessage");
        return new GeminiResponse(cands, block, blockMessage, usage, um != null);
    }

    private static List<GeminiPart> parts(List<Object> raw) {
        if (raw == null) {
            return List.of();
        }
        List<GeminiPart> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            Map<String, Object> p = Json.asObject(o);
            if (p == null) {
                continue;
            }
            String sig = Json.str(p, "thoughtSignature");
            if (sig != null && sig.isEmpty()) {
                sig = null;
            }
            if (p.get("text") instanceof String text) {
                out.add(new GeminiPart.Text(text, Json.bool(p, "thought", false), sig));
            } else if (p.get("functionCall") instanceof Map) {
                Map<String, Object> fc = Json.obj(p, "functionCall");
                String name = Json.str(fc, "name");
                Map<String, Object> args = Json.obj(fc, "args");
                out.add(new GeminiPart.FunctionCall(name == null || name.isEmpty() ? null : name,
                        args == null ? Json.object() : args, partialArgs(Json.list(fc, "partialArgs")),
                        Json.bool(fc, "willContinue", false), sig));
            } else if (p.get("inlineData") instanceof Map) {
                Map<String, Object> d = Json.obj(p, "inlineData");
                String data = Json.str(d, "data");
                if (data != null && !data.isEmpty()) {
                    String mime = Json.str(d, "mimeType");
                    out.add(new GeminiPart.InlineData(mime == null ? "application/octet-stream" : mime, data, sig));
                } else if (sig != null) {
                    out.add(new GeminiPart.Text("", false, sig));
                }
            } else if (p.get("executableCode") instanceof Map) {
                Map<String, Object> e = Json.obj(p, "executableCode");
                out.add(new GeminiPart.ExecutableCode(Json.str(e, "language"), String.valueOf(Json.str(e, "code")), sig));
            } else if (p.get("codeExecutionResult") instanceof Map) {
                Map<String, Object> r = Json.obj(p, "codeExecutionResult");
                String output = Json.str(r, "output");
                out.add(new GeminiPart.CodeExecutionResult(Json.str(r, "outcome"), output == null ? "" : output, sig));
            } else if (sig != null) {
                out.add(new GeminiPart.Text("", false, sig)); // a part we don't show may still carry the turn's signature
            }
        }
        return out;
    }

    private static List<GeminiPart.PartialArg> partialArgs(List<Object> raw) {
        if (raw == null) {
            return List.of();
        }
        List<GeminiPart.PartialArg> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            Map<String, Object> a = Json.asObject(o);
            String path = Json.str(a, "jsonPath");
            if (path == null) {
                continue;
            }
            Object value;
            if (a.get("stringValue") instanceof String s) {
                value = s;
            } else if (a.get("numberValue") instanceof Number n) {
                value = n;
            } else if (a.get("boolValue") instanceof Boolean b) {
                value = b;
            } else {
                value = null; // nullValue: NULL_VALUE (or nothing at all)
            }
            out.add(new GeminiPart.PartialArg(path, value, Json.bool(a, "willContinue", false)));
        }
        return out;
    }

    /** groundingChunks with a uri, in order; web first, else retrievedContext or maps. */
    private static List<GeminiCandidate.Source> sources(Map<String, Object> grounding) {
        List<Object> chunks = Json.list(grounding, "groundingChunks");
        if (chunks == null) {
            return List.of();
        }
        List<GeminiCandidate.Source> out = new ArrayList<>();
        for (Object o : chunks) {
            Map<String, Object> ch = Json.asObject(o);
            for (String kind : new String[] {"web", "retrievedContext", "maps"}) {
                Map<String, Object> src = Json.obj(ch, kind);
                String uri = Json.str(src, "uri");
                if (uri != null && !uri.isBlank()) {
                    String title = Json.str(src, "title");
                    out.add(new GeminiCandidate.Source(uri, title == null || title.isBlank() ? null : title));
                    break;
                }
            }
        }
        return out;
    }

    private static List<String> strings(List<Object> raw) {
        if (raw == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>(raw.size());
        for (Object o : raw) {
            if (o instanceof String s && !s.isBlank()) {
                out.add(s);
            }
        }
        return out;
    }

    /** logprobsResult: chosenCandidates[i] with topCandidates[i].candidates; null when absent or empty. */
    private static List<GeminiCandidate.TokenLogprob> logprobs(Map<String, Object> result) {
        List<Object> chosen = Json.list(result, "chosenCandidates");
        if (chosen == null) {
            return null;
        }
        List<Object> tops = Json.list(result, "topCandidates");
        List<GeminiCandidate.TokenLogprob> out = new ArrayList<>(chosen.size());
        for (int i = 0; i < chosen.size(); i++) {
            Map<String, Object> c = Json.asObject(chosen.get(i));
            if (c == null) {
                continue;
            }
            List<GeminiCandidate.TokenLogprob> top = new ArrayList<>();
            List<Object> alts = tops == null || i >= tops.size() ? null : Json.list(Json.asObject(tops.get(i)), "candidates");
            if (alts != null) {
                for (Object a : alts) {
                    Map<String, Object> am = Json.asObject(a);
                    if (am != null) {
                        top.add(new GeminiCandidate.TokenLogprob(tokenOf(am), logprobOf(am), List.of()));
                    }
                }
            }
            out.add(new GeminiCandidate.TokenLogprob(tokenOf(c), logprobOf(c), top));
        }
        return out;
    }

    private static String tokenOf(Map<String, Object> c) {
        String t = Json.str(c, "token");
        return t == null ? "" : t;
    }

    private static double logprobOf(Map<String, Object> c) {
        return c.get("logProbability") instanceof Number n ? n.doubleValue() : 0.0;
    }

    public List<GeminiCandidate> candidates() {
        return candidates;
    }

    /** promptFeedback.blockReason, or null. */
    public String blockReason() {
        return blockReason;
    }

    /** promptFeedback.blockReasonMessage (Vertex), or null. */
    public String blockReasonMessage() {
        return blockReasonMessage;
    }

    public GeminiUsage usage() {
        return usage;
    }

    /** Whether this response (chunk) carried usageMetadata at all. */
    public boolean hasUsage() {
        return hasUsage;
    }

    /**
     * No prompt block, no candidate part carrying content (text incl. thought text, functionCall, inlineData,
     * executableCode, codeExecutionResult), and every finishReason absent/STOP/OTHER/FINISH_REASON_UNSPECIFIED. A safety
     * block or MAX_TOKENS is not empty: retrying those would not help or would cost the same again.
     */
    public boolean isEmpty() {
        if (blockReason != null) {
            return false;
        }
        for (GeminiCandidate c : candidates) {
            if (c.hasContent() || !isEmptyFinish(c.finishReason())) {
                return false;
            }
        }
        return true;
    }

    /** True for a finishReason that says nothing about why an answer has no content. */
    public static boolean isEmptyFinish(String finishReason) {
        return finishReason == null || EMPTY_FINISH.contains(finishReason);
    }

    public long promptTokens() {
        return usage.prompt();
    }

    /** candidatesTokenCount + thoughtsTokenCount. */
    public long completionTokens() {
        return usage.completionTokens();
    }

    public long totalTokens() {
        return usage.totalTokens();
    }
}
