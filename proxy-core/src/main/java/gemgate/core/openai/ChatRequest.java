package gemgate.core.openai;

import static gemgate.core.openai.Fields.bad;
import static gemgate.core.openai.Fields.bool;
import static gemgate.core.openai.Fields.integer;
import static gemgate.core.openai.Fields.number;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed and validated OpenAI {@code chat.completions} request. Only the fields the proxy uses are read; every other
 * field (logit_bias, user, metadata, store, service_tier, anything SillyTavern's "Include Body" adds) is ignored. A JSON
 * {@code null} counts as absent. A known field of the wrong type is a 400 that names the field.
 */
public final class ChatRequest {
    /** Gemini's largest candidateCount. */
    public static final int MAX_CHOICES = 8;
    /** Gemini's largest number of stop sequences. */
    public static final int MAX_STOP_SEQUENCES = 5;
    /** Gemini's largest top-logprobs count. */
    public static final int MAX_TOP_LOGPROBS = 20;
    private final Map<String, Object> raw;
    private final String model;
    private final List<ChatMessage> messages;
    private final boolean stream;
    private final boolean includeUsage;
    private final int n;
    private final Number temperature;
    private final Number topP;
    private final Long topK;
    private final Long maxTokens;
    private final List<String> stop;
    private final Long seed;
    private final Number presencePenalty;
    private final Number frequencyPenalty;
    private final List<ToolDefinition> tools;
    private final Object toolChoice;
    private final String reasoningEffort;
    private final ThinkingRequest thinking;
    private final ResponseFormat responseFormat;
    private final boolean logprobs;
    private final Integer topLogprobs;
    private final List<String> remoteMediaUrls;

    private ChatRequest(Map<String, Object> raw) {
        this.raw = Collections.unmodifiableMap(raw);
        Object m = raw.get("model");
        if (!(m instanceof String s) || s.isBlank()) {
            throw bad("'model' is required and must be a non-empty string", "model");
        }
        this.model = s;
        this.messages = MessageParser.parseMessages(raw.get("messages"));
        this.stream = bool(raw, "stream");
        Object so = raw.get("stream_options");
        if (so != null && !(so instanceof Map)) {
            throw bad("'stream_options' must be an object", "stream_options");
        }
        this.includeUsage = bool(Json.asObject(so), "include_usage", "stream_options.include_usage");
        Long nv = integer(raw, "n");
        if (nv != null && (nv < 1 || nv > MAX_CHOICES)) {
            throw bad("'n' must be between 1 and " + MAX_CHOICES + " (Gemini returns at most " + MAX_CHOICES
                    + " candidates)", "n");
        }
        this.n = nv == null ? 1 : nv.intValue();
        this.temperature = number(raw, "temperature");
        this.topP = number(raw, "top_p");
        this.topK = integer(raw, "top_k");
        Long mt = integer(raw, "max_tokens");
        Long mct = integer(raw, "max_completion_tokens");
        this.maxTokens = mct != null ? mct : mt;
        if (maxTokens != null && maxTokens < 1) {
            throw bad("'" + (mct != null ? "max_completion_tokens" : "max_tokens") + "' must be at least 1",
                    mct != null ? "max_completion_tokens" : "max_tokens");
        }
        this.stop = OptionParser.parseStop(raw.get("stop"));
        this.seed = integer(raw, "seed");
        this.presencePenalty = number(raw, "presence_penalty");
        this.frequencyPenalty = number(raw, "frequency_penalty");
        List<ToolDefinition> t = OptionParser.parseTools(raw.get("tools"), "tools", true);
        Object tc = raw.get("tool_choice");
        if (tc != null && !(tc instanceof String) && !(tc instanceof Map)) {
            throw bad("'tool_choice' must be a string or an object", "tool_choice");
        }
        if (t.isEmpty() && raw.get("functions") != null) {
            // The legacy form: functions[] and function_call ("none" | "auto" | {"name"}).
            t = OptionParser.parseTools(raw.get("functions"), "functions", false);
            Object fc = raw.get("function_call");
            if (tc == null && fc != null) {
                if (fc instanceof String) {
                    tc = fc;
                } else if (fc instanceof Map) {
                    tc = Json.object("type", "function", "function", fc);
                } else {
                    throw bad("'function_call' must be a string or an object", "function_call");
                }
            }
        }
        this.tools = t;
        this.toolChoice = tc;
        this.reasoningEffort = OptionParser.parseReasoningEffort(raw.get("reasoning_effort"));
        this.thinking = OptionParser.parseThinking(raw);
        this.responseFormat = OptionParser.parseResponseFormat(raw.get("response_format"));
        Object lp = raw.get("logprobs");
        Long top = integer(raw, "top_logprobs");
        if (top != null && (top < 0 || top > MAX_TOP_LOGPROBS)) {
            throw bad("'top_logprobs' must be between 0 and " + MAX_TOP_LOGPROBS, "top_logprobs");
        }
        if (lp == null || lp instanceof Boolean) {
            this.logprobs = Boolean.TRUE.equals(lp);
            this.topLogprobs = top == null ? null : top.intValue();
        } else {
            // Older clients (SillyTavern) send the completions-style count: logprobs: 5.
            Long count = integer(raw, "logprobs");
            if (count < 0) {
                throw bad("'logprobs' must be a boolean (or a count from 0 to " + MAX_TOP_LOGPROBS + ")", "logprobs");
            }
            this.logprobs = true;
            this.topLogprobs = (int) Math.min(count, MAX_TOP_LOGPROBS);
        }
        Set<String> urls = new LinkedHashSet<>();
        for (ChatMessage msg : messages) {
            for (ContentPart part : msg.content()) {
                if (part instanceof ContentPart.Remote r) {
                    urls.add(r.url());
                }
            }
        }
        this.remoteMediaUrls = List.copyOf(urls);
    }

    /** Parses and validates an OpenAI chat.completions body. Throws ApiException: invalidJson for malformed JSON,
     *  badRequest(message, param) naming the field for a missing or wrong-typed field. */
    public static ChatRequest parse(byte[] body) {
        Object tree;
        try {
            tree = Json.parse(body);
        } catch (JsonException e) {
            throw new ApiException(ApiError.invalidJson(e.getMessage()));
        }
        if (!(tree instanceof Map)) {
            throw new ApiException(ApiError.invalidJson("expected a JSON object"));
        }
        return new ChatRequest(Json.asObject(tree));
    }

    /** The model as the client sent it (non-empty). */
    public String model() {
        return model;
    }

    public List<ChatMessage> messages() {
        return messages;
    }

    public boolean stream() {
        return stream;
    }

    /** {@code stream_options.include_usage}. */
    public boolean includeUsage() {
        return includeUsage;
    }

    /** Number of choices, default 1. */
    public int n() {
        return n;
    }

    /** Null when absent; the same for the other sampling getters. */
    public Number temperature() {
        return temperature;
    }

    public Number topP() {
        return topP;
    }

    public Long topK() {
        return topK;
    }

    /** max_completion_tokens, else max_tokens, else null. */
    public Long maxTokens() {
        return maxTokens;
    }

    /** Stop sequences; empty when absent. */
    public List<String> stop() {
        return stop;
    }

    public Long seed() {
        return seed;
    }

    public Number presencePenalty() {
        return presencePenalty;
    }

    public Number frequencyPenalty() {
        return frequencyPenalty;
    }

    /** Function tools; empty when absent. */
    public List<ToolDefinition> tools() {
        return tools;
    }

    /** "none" | "auto" | "required" | {type:function, function:{name}} | null. */
    public Object toolChoice() {
        return toolChoice;
    }

    /** {@code reasoning_effort} lower-cased (none, minimal, low, medium, high; xhigh and max read as high), or null. */
    public String reasoningEffort() {
        return reasoningEffort;
    }

    /** Explicit thinking settings (Google's thinking_config or hajimi's thinking_budget); empty when none. */
    public ThinkingRequest thinking() {
        return thinking;
    }

    /** {@code response_format} json_object / json_schema, or null for text or absent. */
    public ResponseFormat responseFormat() {
        return responseFormat;
    }

    /** {@code logprobs}: true (or a count) asks for token log probabilities. */
    public boolean logprobs() {
        return logprobs;
    }

    /** {@code top_logprobs} (0..20), or the legacy logprobs count; null when absent. */
    public Integer topLogprobs() {
        return topLogprobs;
    }

    /** The http(s) URLs of media parts (image_url and the like that are not data URIs), in order, de-duplicated. */
    public List<String> remoteMediaUrls() {
        return remoteMediaUrls;
    }

    /** The whole request tree, for fields later features read. Read only. */

    public Map<String, Object> raw() {
        return raw;
    }
}
