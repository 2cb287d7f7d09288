package gemgate.core.translate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * OpenAI {@code POST /v1/embeddings} to Gemini {@code batchEmbedContents} and back. Pure: parse and validate the
 * client's request, cut it into upstream batches of at most {@link #MAX_BATCH} texts, read each batch's answer into
 * compact {@code float[]} vectors, and write the OpenAI answer (float lists, or base64 of little-endian float32 as
 * OpenAI sends for {@code encoding_format: "base64"}).
 *
 * <p>Model names: a Gemini embedding model ({@code gemini-embedding-001}, {@code text-embedding-004}, with or without
 * {@code models/}) is used as is; OpenAI's names ({@code text-embedding-3-small/large}, {@code text-embedding-ada-002})
 * and a missing model map to the configured default embedding model.
 */
public final class Embeddings {
    /** Google's limit: "at most 100 requests can be in one batch". */
    public static final int MAX_BATCH = 100;

    private Embeddings() {}

    /**
     * A validated embeddings request.
     *
     * @param clientModel   the model as the client named it (echoed in the answer); the upstream model when absent
     * @param upstreamModel the Gemini model path segment
     * @param inputs        the texts, in order, at least one
     * @param dimensions    output dimensionality, or null for the model's default
     * @param base64        answer with base64 strings instead of float lists
     */
    public record Request(String clientModel, String upstreamModel, List<String> inputs, Integer dimensions, boolean base64) {
        public Request {
            Objects.requireNonNull(clientModel, "clientModel");
            Objects.requireNonNull(upstreamModel, "upstreamModel");
            inputs = List.copyOf(inputs);
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException("inputs must not be empty");
            }
        }

        /** How many upstream calls this request needs. */
        public int batches() {
            return (inputs.size() + MAX_BATCH - 1) / MAX_BATCH;
        }

        /** Index of the first input of batch {@code b}. */
        public int batchStart(int b) {
            return b * MAX_BATCH;
        }

        /** One past the last input of batch {@code b}. */
        public int batchEnd(int b) {
            return Math.min(inputs.size(), (b + 1) * MAX_BATCH);
        }

        /** Rough prompt size of batch {@code b} (about four characters a token), for key accounting before the call. */
        public long estimatedTokens(int b) {
            long t = 0;
            for (int i = batchStart(b); i < batchEnd(b); i++) {
                t += estimateTokens(inputs.get(i));
            }
            return t;
        }
    }

    /**
     * Parses and validates an OpenAI embeddings body. {@code input} is a string or an array of strings; token arrays
     * are refused (Gemini embeds text only). {@code user} and unknown fields are ignored.
     *
     * @param defaultModel the Gemini model for OpenAI model names and a missing {@code model}
     * @param maxInputs    most texts accepted in one request
     */
    public static Request parse(byte[] body, String defaultModel, int maxInputs) {
        Object tree;
        try {
            tree = Json.parse(body);
        } catch (JsonException e) {
            throw new ApiException(ApiError.invalidJson(e.getMessage()));
        }
        Map<String, Object> m = Json.asObject(tree);
        if (m == null) {
            throw new ApiException(ApiError.invalidJson("expected a JSON object"));
        }
        Object model = m.get("model");
        if (model != null && !(model instanceof String)) {
            throw bad("'model' must be a string", "model");
        }
        String clientModel = (String) model;
        String upstream = upstreamModel(clientModel, defaultModel);
        List<String> inputs = inputs(m.get("input"), maxInputs);
        Integer dims = null;
        Object d = m.get("dimensions");
        if (d != null) {
            if (!(d instanceof Long l) || l < 1 || l > 65536) {
                throw bad("'dimensions' must be a whole number >= 1", "dimensions");
            }
            dims = l.intValue();
        }
        Object ef = m.get("encoding_format");
        boolean base64 = false;
        if (ef != null) {
            if ("base64".equals(ef)) {
                base64 = true;
            } else if (!"float".equals(ef)) {
                throw bad("'encoding_format' must be 'float' or 'base64'", "encoding_format");
            }
        }
        return new Request(clientModel == null || clientModel.isBlank() ? upstream : clientModel, upstream, inputs, dims, base64);
    }

    /**
     * The Gemini model for a client's model name: OpenAI embedding names and a missing or blank name become
     * {@code defaultModel}; anything else must be a valid Gemini model name ({@code models/} prefix allowed).
     */
    public static String upstreamModel(String clientModel, String defaultModel) {
        if (clientModel == null || clientModel.isBlank()) {
            return ChatToGemini.upstreamModel(defaultModel);
        }
        String lower = clientModel.trim().toLowerCase(Locale.ROOT);
        if (lower.startsWith("text-embedding-3-") || lower.startsWith("text-embedding-ada-")) {
            return ChatToGemini.upstreamModel(defaultModel);
        }
        return ChatToGemini.upstreamModel(clientModel);
    }

    private static List<String> inputs(Object v, int maxInputs) {
        if (v == null) {
            throw bad("'input' is required: a string or an array of strings", "input");
        }
        if (v instanceof String s) {
            return List.of(nonEmpty(s, "input"));
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            if (v instanceof Long || v instanceof BigInteger || v instanceof Double || v instanceof BigDecimal) {
                throw tokens();
            }
            throw bad("'input' must be a string or an array of strings", "input");
        }
        if (list.isEmpty()) {
            throw bad("'input' must contain at least one string", "input");
        }
        if (list.size() > maxInputs) {
            throw bad("'input' has " + list.size() + " items; this proxy accepts at most " + maxInputs
                    + " per request (setting MAX_EMBEDDING_INPUTS)", "input");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object o = list.get(i);
            if (o instanceof String s) {
                out.add(nonEmpty(s, "input[" + i + "]"));
            } else if (o instanceof Number || o instanceof List) {
                throw tokens();
            } else {
                throw bad("'input[" + i + "]' must be a string", "input[" + i + "]");
            }
        }
        return out;
    }

    private static String nonEmpty(String s, String param) {
        if (s.isEmpty()) {
            throw bad("'" + param + "' must not be an empty string", param);
        }
        return s;
    }

    private static ApiException tokens() {
        return bad("'input' holds token ids; Gemini embeds text only, so send the text as a string or an array of strings",
                "input");
    }

    /** The batchEmbedContents body for batch {@code b} of {@code req}. */
    public static byte[] batchBody(Request req, int b) {
        List<Object> requests = new ArrayList<>(req.batchEnd(b) - req.batchStart(b));
        String model = "models/" + req.upstreamModel();
        for (int i = req.batchStart(b); i < req.batchEnd(b); i++) {
            Map<String, Object> one = Json.object("model", model,
                    "content", Json.object("parts", List.of(Json.object("text", req.inputs().get(i)))));
            if (req.dimensions() != null) {
                one.put("outputDimensionality", (long) req.dimensions());
            }
            requests.add(one);
        }
        return Json.write(Json.object("requests", requests));
    }

    /** What one batchEmbedContents answer holds: the vectors in request order, and Google's token count if it sent one. */
    public record BatchResult(List<float[]> vectors, long promptTokens) {}

    /**
     * Reads a successful batchEmbedContents answer ({@code {"embeddings":[{"values":[...]}, ...]}}) straight into
     * float arrays, without building a tree of boxed numbers. An answer that is not that shape, or holds a different
     * number of embeddings than {@code expected}, throws {@link JsonException}.
     */
    public static BatchResult parseBatch(byte[] body, int expected) {
        List<float[]> vectors = new ArrayList<>(expected);
        long promptTokens = -1;
        try (JsonParser p = Json.factory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("embeddings".equals(field) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        vectors.add(readEmbedding(p));
                    }
                } else if ("usageMetadata".equals(field) && t == JsonToken.START_OBJECT) {
                    promptTokens = readPromptTokens(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new JsonException("unreadable batchEmbedContents answer: " + e.getMessage());
        }
        if (vectors.size() != expected) {
            throw new JsonException("batchEmbedContents returned " + vectors.size() + " embeddings for " + expected + " texts");
        }
        return new BatchResult(vectors, promptTokens);
    }

    private static float[] readEmbedding(JsonParser p) throws IOException {
        float[] values = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("values".equals(field) && t == JsonToken.START_ARRAY) {
                float[] buf = new float[256];
                int n = 0;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                        throw new JsonException("an embedding value is not a number");
                    }
                    if (n == buf.length) {
                        buf = java.util.Arrays.copyOf(buf, n * 2);
                    }
                    buf[n++] = p.getFloatValue();
                }
                values = java.util.Arrays.copyOf(buf, n);
            } else {
                p.skipChildren();
            }
        }
        if (values == null) {
            throw new JsonException("an embedding has no 'values'");
        }
        return values;
    }

    private static long readPromptTokens(JsonParser p) throws IOException {
        long tokens = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            if ("promptTokenCount".equals(field) && t == JsonToken.VALUE_NUMBER_INT) {
                tokens = p.getLongValue();
            } else {
                p.skipChildren();
            }
        }
        return tokens;
    }

    /**
     * The OpenAI answer. {@code promptTokens} is what Google reported, or (where it reported nothing) the estimate
     * of about four characters a token.
     */
    public static byte[] response(Request req, List<float[]> vectors, long promptTokens) {
        if (vectors.size() != req.inputs().size()) {
            throw new IllegalArgumentException("one vector per input expected: " + vectors.size() + " for " + req.inputs().size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + vectors.size() * (req.base64() ? 64 : 32)
                * Math.max(1, vectors.isEmpty() ? 1 : vectors.get(0).length) / 4);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (int i = 0; i < vectors.size(); i++) {
                float[] v = vectors.get(i);
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", i);
                if (req.base64()) {
                    g.writeStringField("embedding", base64(v));
                } else {
                    g.writeArrayFieldStart("embedding");
                    for (float f : v) {
                        g.writeNumber(f);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", req.clientModel());
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", promptTokens);
            g.writeNumberField("total_tokens", promptTokens);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Little-endian IEEE-754 float32, base64 encoded: what OpenAI returns for {@code encoding_format: "base64"}. */
    public static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    /** About four characters a token, at least one per non-empty text. */
    public static long estimateTokens(String text) {
        return text.isEmpty() ? 0 : Math.max(1, (text.length() + 3) / 4);
    }

    private static ApiException bad(String message, String param) {
        return new ApiException(ApiError.badRequest(message, param));
    }
}
