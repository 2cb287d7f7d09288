package gemgate.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny JSON tree on top of jackson-core (no databind). Objects are {@code LinkedHashMap<String,Object>}
 * (key order kept), arrays {@code ArrayList<Object>}, strings {@code String}, integers {@code Long} (or
 * {@code BigInteger} when too large), other numbers {@code Double} (or {@code BigDecimal} when not representable),
 * booleans {@code Boolean}, and JSON {@code null} is Java {@code null} (use {@link Map#containsKey} to tell an absent
 * field from a null one). Parsing is bounded by nesting depth and string length; malformed input throws
 * {@link JsonException} with a message fit for a client.
 */
public final class Json {
    /** Deepest nesting accepted; real chat requests stay far below it. */
    public static final int MAX_DEPTH = 200;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(64 * 1024 * 1024)
                    .maxNumberLength(1000)
                    .build())
            .build();

    private Json() {}

    /** The shared factory, for code that streams with jackson-core directly. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /** Parses one JSON value that must fill the whole input. */
    public static Object parse(byte[] bytes) {
        return parse(bytes, 0, bytes.length);
    }

    public static Object parse(byte[] bytes, int off, int len) {
        try (JsonParser p = FACTORY.createParser(bytes, off, len)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonException("empty body: expected a JSON value");
            }
            Object value = read(p, first);
            if (p.nextToken() != null) {
                throw new JsonException("unexpected data after the JSON value at " + location(p));
            }
            return value;
        } catch (JsonException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new JsonException("malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Object parse(String text) {
        return parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Parses input that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(byte[] bytes) {
        Object v = parse(bytes);
        if (!(v instanceof Map)) {
            throw new JsonException("expected a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private static Object read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                JsonToken k;
                while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken()));
                }
                if (k != JsonToken.END_OBJECT) {
                    throw new JsonException("malformed JSON object at " + location(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (e == null) {
                        throw new JsonException("unterminated JSON array");
                    }
                    l.add(read(p, e));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return p.getBigIntegerValue();
                }
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT: {
                double d = p.getDoubleValue();
                if (Double.isInfinite(d)) {
                    return p.getDecimalValue();
                }
                return d;
            }
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new JsonException("unexpected token " + t + " at " + location(p));
        }
    }

    private static String location(JsonParser p) {
        var loc = p.currentLocation();
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Serialises a tree (maps, lists, strings, numbers, booleans, null) compactly as UTF-8. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(value, out);
        return out.toByteArray();
    }

    public static String writeString(Object value) {
        return new String(write(value), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static void write(Object value, OutputStream out) {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            writeValue(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one tree value with an open generator (for callers that mix streaming and trees). */
    public static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof BigDecimal b) {
            g.writeNumber(b);
        } else if (v instanceof RawJson r) {
            g.writeRawValue(r.json());
        } else {
            throw new IllegalArgumentException("not a JSON tree value: " + v.getClass().getName());
        }
    }

    /** Already-serialised JSON to embed verbatim in a tree being written. */
    public record RawJson(String json) {}

    // ---- typed accessors for reading trees ----

    @SuppressWarnings("unchecked")
    public static Map<String, Object> asObject(Object v) {
        return v instanceof Map ? (Map<String, Object>) v : null;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> asList(Object v) {
        return v instanceof List ? (List<Object>) v : null;
    }

    public static String asString(Object v) {
        return v instanceof String s ? s : null;
    }

    /** A member object, or null when absent or not an object. */
    public static Map<String, Object> obj(Map<String, Object> m, String key) {
        return m == null ? null : asObject(m.get(key));
    }

    public static List<Object> list(Map<String, Object> m, String key) {
        return m == null ? null : asList(m.get(key));
    }

    public static String str(Map<String, Object> m, String key) {
        return m == null ? null : asString(m.get(key));
    }

    public static long num(Map<String, Object> m, String key, long dflt) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Number n ? n.longValue() : dflt;
    }

    public static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Boolean b ? b : dflt;
    }

    /** Fresh insertion-ordered map, for building trees. */
    public static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** Builds an insertion-ordered object from alternating keys and values. */
    public static Map<String, Object> object(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("object(...) needs key/value pairs, got " + kv.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
