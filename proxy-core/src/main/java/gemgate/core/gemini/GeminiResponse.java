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
    private final GeminiUsage usage;
    private final boolean hasUsage;

    private GeminiResponse(List<GeminiCandidate> candidates, String blockReason, GeminiUsage usage, boolean hasUsage) {
        this.candidates = List.copyOf(candidates);
        this.blockReason = blockReason;
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
                cands.add(new GeminiCandidate(index, parts(Json.list(Json.obj(c, "content"), "parts")),
                        Json.str(c, "finishReason")));
            }
        }
        String block = Json.str(Json.obj(tree, "promptFeedback"), "blockReason");
        if ("BLOCK_REASON_UNSPECIFIED".equals(block)) {
            block = "OTHER";
        }
        Map<String, Object> um = Json.obj(tree, "usageMetadata");
        GeminiUsage usage = um == null ? GeminiUsage.NONE : new GeminiUsage(
                Json.num(um, "promptTokenCount", 0), Json.num(um, "candidatesTokenCount", 0),
                Json.num(um, "thoughtsTokenCount", 0), Json.num(um, "totalTokenCount", 0),
                Json.num(um, "cachedContentTokenCount", -1));
        return new GeminiResponse(cands, block, usage, um != null);
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
            if (p.get("text") instanceof String text) {
                out.add(new GeminiPart.Text(text, Json.bool(p, "thought", false)));
            } else if (p.get("functionCall") instanceof Map) {
                Map<String, Object> fc = Json.obj(p, "functionCall");
                String name = Json.str(fc, "name");
                // TODO(function calling): Vertex's streamFunctionCallArguments sends the name and partialArgs in
                // separate chunks; the proxy never asks for it, so nameless fragments are dropped.
                if (name != null && !name.isEmpty()) {
                    Map<String, Object> args = Json.obj(fc, "args");
                    out.add(new GeminiPart.FunctionCall(name, args == null ? Json.object() : args));
                }
            } else if (p.get("inlineData") instanceof Map) {
                Map<String, Object> d = Json.obj(p, "inlineData");
                String data = Json.str(d, "data");
                if (data != null && !data.isEmpty()) {
                    String mime = Json.str(d, "mimeType");
                    out.add(new GeminiPart.InlineData(mime == null ? "application/octet-stream" : mime, data));
                }
            } else if (p.get("executableCode") instanceof Map) {
                Map<String, Object> e = Json.obj(p, "executableCode");
                out.add(new GeminiPart.ExecutableCode(Json.str(e, "language"), String.valueOf(Json.str(e, "code"))));
            } else if (p.get("codeExecutionResult") instanceof Map) {
                Map<String, Object> r = Json.obj(p, "codeExecutionResult");
                String output = Json.str(r, "output");
                out.add(new GeminiPart.CodeExecutionResult(Json.str(r, "outcome"), output == null ? "" : output));
            }
        }
        return out;
    }

    public List<GeminiCandidate> candidates() {
        return candidates;
    }

    /** promptFeedback.blockReason, or null. */
    public String blockReason() {
        return blockReason;
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
