package gemgate.core.openai;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Type-checked readers for the fields of a chat request. A JSON {@code null} counts as absent; a value of the wrong type
 * is a 400 ({@link ApiError#badRequest}) that names the field.
 */
final class Fields {
    private Fields() {}

    static boolean bool(Map<String, Object> m, String key) {
        return bool(m, key, key);
    }

    /** A boolean read from {@code m} (which may itself be absent); {@code param} is the name the error gives. */
    static boolean bool(Map<String, Object> m, String key, String param) {
        Object v = m == null ? null : m.get(key);
        if (v == null) {
            return false;
        }
        if (!(v instanceof Boolean b)) {
            throw bad("'" + param + "' must be a boolean", param);
        }
        return b;
    }

    static Number number(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number num)) {
            throw bad("'" + key + "' must be a number", key);
        }
        return num;
    }

    /** An integer field; 2.0 is accepted as 2, 1.5 is not. */
    static Long integer(Map<String, Object> m, String key) {
        return integer(m, key, "");
    }

    /** An integer field inside the object at {@code prefix} (empty for the top level), named prefix.field in errors. */
    static Long integer(Map<String, Object> m, String field, String prefix) {
        String key = prefix.isEmpty() ? field : prefix + "." + field;
        Object v = m.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.0e15) {
            return d.longValue();
        }
        if (v instanceof BigInteger || v instanceof BigDecimal) {
            throw bad("'" + key + "' is out of range", key);
        }
        throw bad("'" + key + "' must be an integer", key);
    }

    /** The 400 for a bad field: {@code param} names it in the error body. */
    static ApiException bad(String message, String param) {
        return new ApiException(ApiError.badRequest(message, param));
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** The snake_case key, unless only the camelCase one is present. */
    static String pick(Map<String, Object> m, String snake, String camel) {
        return m.get(snake) == null && m.get(camel) != null ? camel : snake;
    }
}
