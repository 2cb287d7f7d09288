package gemgate.server.e2e;

import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Splits an event-stream body the way the OpenAI SDK and SillyTavern do. */
final class SseEvents {
    final List<String> data = new ArrayList<>();
    int comments;
    int emptyData;

    static SseEvents parse(String body) {
        SseEvents e = new SseEvents();
        for (String block : body.replace("\r\n", "\n").split("\n\n")) {
            StringBuilder d = null;
            for (String line : block.split("\n")) {
                if (line.startsWith(":")) {
                    e.comments++;
                } else if (line.startsWith("data:")) {
                    String v = line.substring(5);
                    if (v.startsWith(" ")) {
                        v = v.substring(1);
                    }
                    d = d == null ? new StringBuilder(v) : d.append('\n').append(v);
                }
            }
            if (d != null) {
                if (d.length() == 0) {
                    e.emptyData++;
                }
                e.data.add(d.toString());
            }
        }
        return e;
    }

    /** The JSON events before [DONE]. */
    List<Map<String, Object>> json() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String d : data) {
            if (d.equals("[DONE]")) {
                break;
            }
            out.add(Json.parseObject(d.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return out;
    }

    boolean endsWithDone() {
        return !data.isEmpty() && data.get(data.size() - 1).equals("[DONE]");
    }

    /** Concatenated delta.content of choice 0. */
    String content() {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> ev : json()) {
            var choices = Json.list(ev, "choices");
            if (choices == null || choices.isEmpty()) {
                continue;
            }
            var delta = Json.obj(Json.asObject(choices.get(0)), "delta");
            String c = Json.str(delta, "content");
            if (c != null) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
