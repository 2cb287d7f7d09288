package gemgate.core.translate;

import gemgate.core.gemini.GeminiPart;
import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A function call that Gemini streams in pieces (Vertex's streamFunctionCallArguments): the name first, then argument
 * values addressed by JSON path, a string possibly split over several pieces. Collects them into one arguments object,
 * so the client gets the call whole, as from a normal Gemini answer. Paths it cannot read are skipped.
 */
final class StreamedCall {
    final String name;
    final Map<String, Object> args;
    String signature;
    private String continuingPath;

    StreamedCall(String name, Map<String, Object> args, String signature) {
        this.name = name;
        this.args = Json.object();
        this.args.putAll(args);
        this.signature = signature;
    }

    void apply(GeminiPart.PartialArg a) {
        List<Object> path = segments(a.jsonPath());
        if (path == null || path.isEmpty()) {
            continuingPath = null;
            return;
        }
        boolean append = a.jsonPath().equals(continuingPath);
        continuingPath = a.willContinue() ? a.jsonPath() : null;
        Object container = args;
        for (int i = 0; i < path.size() - 1; i++) {
            Object seg = path.get(i);
            Object next = get(container, seg);
            boolean wantList = path.get(i + 1) instanceof Integer;
            if (wantList ? !(next instanceof List) : !(next instanceof Map)) {
                next = wantList ? new ArrayList<>() : Json.object();
                if (!put(container, seg, next)) {
                    return;
                }
            }
            container = next;
        }
        Object last = path.get(path.size() - 1);
        Object value = normalize(a.value());
        if (append && value instanceof String s && get(container, last) instanceof String prev) {
            value = prev + s;
        }
        put(container, last, value);
    }

    /** A whole number Gemini sent as a double is written as an integer, as a client's JSON schema expects. */
    private static Object normalize(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
            return d.longValue();
        }
        return v;
    }

    private static Object get(Object container, Object seg) {
        if (container instanceof Map<?, ?> m && seg instanceof String k) {
            return m.get(k);
        }
        if (container instanceof List<?> l && seg instanceof Integer i) {
            return i < l.size() ? l.get(i) : null;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static boolean put(Object container, Object seg, Object value) {
        if (container instanceof Map<?, ?> m && seg instanceof String k) {
            ((Map<String, Object>) m).put(k, value);
            return true;
        }
        if (container instanceof List<?> l && seg instanceof Integer i && i < 10_000) {
            List<Object> list = (List<Object>) l;
            while (list.size() <= i) {
                list.add(null);
            }
            list.set(i, value);
            return true;
        }
        return false;
    }

    /** "$.a.b[0]['c d']" to [a, b, 0, "c d"]; null when it is not such a simple path. */
    static List<Object> segments(String path) {
        if (path == null || !path.startsWith("$")) {
            return null;
        }
        List<Object> out = new ArrayList<>();
        int i = 1;
        int n = path.length();
        while (i < n) {
            char c = path.charAt(i);
            if (c == '.') {
                int j = i + 1;
                while (j < n && path.charAt(j) != '.' && path.charAt(j) != '[') {
                    j++;
                }
                if (j == i + 1) {
                    return null;
                }
                out.add(path.substring(i + 1, j));
                i = j;
            } else if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    return null;
                }
                String inner = path.substring(i + 1, close).strip();
                if (inner.length() >= 2 && (inner.charAt(0) == '\'' || inner.charAt(0) == '"')
                        && inner.charAt(inner.length() - 1) == inner.charAt(0)) {
                    out.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        int idx = Integer.parseInt(inner);
                        if (idx < 0) {
                            return null;
                        }
                        out.add(idx);
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                i = close + 1;
            } else {
                return null;
            }
        }
        return out;
    }
}
