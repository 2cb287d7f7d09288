package gemgate.core.openai;

import static gemgate.core.openai.Fields.abbreviate;
import static gemgate.core.openai.Fields.bad;

import gemgate.core.gemini.MediaTypes;
import gemgate.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code messages[]} of a chat request: roles, content parts (text, images as data URIs or http(s) URLs, audio,
 * files), assistant tool calls (and the legacy function_call) and tool results. Errors are 400s naming the field's path,
 * such as {@code messages[2].content[0].image_url}.
 */
final class MessageParser {
    private MessageParser() {}

    static List<ChatMessage> parseMessages(Object v) {
        if (v == null) {
            throw bad("'messages' is required", "messages");
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'messages' must be an array", "messages");
        }
        if (list.isEmpty()) {
            throw bad("'messages' must contain at least one message", "messages");
        }
        List<ChatMessage> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(parseMessage(list.get(i), "messages[" + i + "]"));
        }
        return List.copyOf(out);
    }

    private static ChatMessage parseMessage(Object v, String path) {
        Map<String, Object> m = Json.asObject(v);
        if (m == null) {
            throw bad("'" + path + "' must be an object", path);
        }
        Object r = m.get("role");
        if (!(r instanceof String rs)) {
            throw bad("'" + path + ".role' is required and must be a string", path + ".role");
        }
        ChatMessage.Role role = switch (rs) {
            case "system" -> ChatMessage.Role.SYSTEM;
            case "developer" -> ChatMessage.Role.DEVELOPER;
            case "user" -> ChatMessage.Role.USER;
            case "assistant" -> ChatMessage.Role.ASSISTANT;
            case "tool", "function" -> ChatMessage.Role.TOOL; // "function": the legacy result message, matched by name
            default -> throw bad("'" + path + ".role' must be one of system, developer, user, assistant, tool; got '"
                    + rs + "'", path + ".role");
        };
        List<ContentPart> content = parseContent(m.get("content"), path + ".content");
        List<ToolCall> toolCalls = role == ChatMessage.Role.ASSISTANT ? parseToolCalls(m.get("tool_calls"), path + ".tool_calls") : List.of();
        if (role == ChatMessage.Role.ASSISTANT && toolCalls.isEmpty() && m.get("function_call") != null) {
            Map<String, Object> fc = Json.asObject(m.get("function_call"));
            if (fc == null || !(fc.get("name") instanceof String fname) || fname.isEmpty()) {
                throw bad("'" + path + ".function_call.name' is required", path + ".function_call.name");
            }
            Object args = fc.get("arguments");
            if (args != null && !(args instanceof String)) {
                throw bad("'" + path + ".function_call.arguments' must be a JSON string", path + ".function_call.arguments");
            }
            toolCalls = List.of(new ToolCall(null, fname, (String) args));
        }
        String toolCallId = null;
        if (role == ChatMessage.Role.TOOL) {
            Object id = m.get("tool_call_id");
            if (id != null && !(id instanceof String)) {
                throw bad("'" + path + ".tool_call_id' must be a string", path + ".tool_call_id");
            }
            toolCallId = (String) id;
        }
        Object name = m.get("name");
        return new ChatMessage(role, content, toolCalls, toolCallId, name instanceof String s ? s : null);
    }

    private static List<ContentPart> parseContent(Object v, String path) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(new ContentPart.Text(s));
        }
        List<Object> parts = Json.asList(v);
        if (parts == null) {
            throw bad("'" + path + "' must be a string, an array of content parts or null", path);
        }
        List<ContentPart> out = new ArrayList<>(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            out.add(parsePart(parts.get(j), path + "[" + j + "]"));
        }
        return out;
    }

    private static ContentPart parsePart(Object v, String path) {
        Map<String, Object> p = Json.asObject(v);
        if (p == null) {
            throw bad("'" + path + "' must be an object with a 'type'", path);
        }
        Object type = p.get("type");
        if ("text".equals(type)) {
            Object t = p.get("text");
            if (!(t instanceof String ts)) {
                throw bad("'" + path + ".text' must be a string", path + ".text");
            }
            return new ContentPart.Text(ts);
        }
        if ("image_url".equals(type)) {
            Object iu = p.get("image_url");
            String url;
            String detail = null;
            if (iu instanceof String s) {
                url = s;
            } else if (iu instanceof Map) {
                Map<String, Object> im = Json.asObject(iu);
                Object u = im.get("url");
                if (!(u instanceof String us)) {
                    throw bad("'" + path + ".image_url.url' must be a string", path + ".image_url.url");
                }
                url = us;
                detail = Json.str(im, "detail");
            } else {
                throw bad("'" + path + ".image_url' must be an object with a 'url' or a string", path + ".image_url");
            }
            String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                return new ContentPart.Remote(url, detail);
            }
            DataUri d = dataUri(url, "an image", path + ".image_url");
            return new ContentPart.Image(d.mime(), d.data(), detail);
        }
        if ("input_audio".equals(type)) {
            Map<String, Object> a = Json.obj(p, "input_audio");
            String ap = path + ".input_audio";
            if (a == null) {
                throw bad("'" + ap + "' must be an object with 'data' (base64) and 'format'", ap);
            }
            if (!(a.get("data") instanceof String data)) {
                throw bad("'" + ap + ".data' must be a base64 string", ap + ".data");
            }
            if (!(a.get("format") instanceof String format)) {
                throw bad("'" + ap + ".format' must be a string such as wav or mp3", ap + ".format");
            }
            String mime = MediaTypes.forAudioFormat(format);
            if (mime == null) {
                throw bad("audio format '" + abbreviate(format) + "' is not supported by Gemini; use wav, mp3, aiff, aac, ogg "
                        + "or flac", ap + ".format");
            }
            checkBase64(data, ap + ".data");
            return new ContentPart.Media(mime, data, null);
        }
        if ("file".equals(type)) {
            Map<String, Object> f = Json.obj(p, "file");
            String fp = path + ".file";
            if (f == null) {
                throw bad("'" + fp + "' must be an object with 'file_data' (a data: URI) and 'filename'", fp);
            }
            Object fn = f.get("filename");
            if (fn != null && !(fn instanceof String)) {
                throw bad("'" + fp + ".filename' must be a string", fp + ".filename");
            }
            Object fd = f.get("file_data");
            if (fd == null) {
                throw bad(f.get("file_id") != null
                        ? "uploaded file ids are not supported by this proxy; send the file inline as 'file_data' (a data: URI)"
                        : "'" + fp + ".file_data' is required (data:<mime>;base64,<data>)", fp + ".file_data");
            }
            if (!(fd instanceof String fds)) {
                throw bad("'" + fp + ".file_data' must be a string (data:<mime>;base64,<data>)", fp + ".file_data");
            }
            if (fds.regionMatches(true, 0, "data:", 0, 5)) {
                DataUri d = dataUri(fds, "a file", fp + ".file_data");
                return new ContentPart.Media(d.mime(), d.data(), (String) fn);
            }
            // Bare base64: the file name's extension names the type.
            String mime = MediaTypes.forFileName((String) fn);
            if (mime == null) {
                throw bad("'" + fp + ".file_data' must be a data: URI naming its type (data:application/pdf;base64,...) "
                        + "unless 'filename' has a known extension", fp + ".file_data");
            }
            checkBase64(fds, fp + ".file_data");
            return new ContentPart.Media(mime, fds, (String) fn);
        }
        throw bad("content part type " + (type instanceof String ? "'" + type + "'" : String.valueOf(type))
                + " at '" + path + "' is not supported; use 'text', 'image_url', 'input_audio' or 'file'", path + ".type");
    }

    private record DataUri(String mime, String data) {}

    /** A {@code data:<mime>;base64,<data>} URI whose type Gemini accepts and whose data looks like base64. */
    private static DataUri dataUri(String url, String what, String param) {
        String lower = url.length() > 8 ? url.substring(0, 8).toLowerCase(Locale.ROOT) : url.toLowerCase(Locale.ROOT);
        int comma = url.indexOf(',');
        if (!lower.startsWith("data:") || comma < 0) {
            throw bad(what + " must be a data: URI (data:<mime>;base64,<data>) or an http(s) URL", param);
        }
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw bad(what + " data: URI must be base64 encoded (data:<mime>;base64,<data>)", param);
        }
        String mime = meta.substring(0, meta.length() - 7).trim();
        if (mime.isEmpty() || mime.indexOf('/') < 0) {
            throw bad(what + " data: URI must name its mime type, e.g. data:image/png;base64,...", param);
        }
        String canonical = MediaTypes.canonical(mime);
        if (canonical == null) {
            throw bad("the mime type '" + abbreviate(mime) + "' is not supported by Gemini; supported: " + MediaTypes.SUPPORTED,
                    param);
        }
        String data = url.substring(comma + 1);
        if (data.isEmpty()) {
            throw bad("the " + what.substring(what.indexOf(' ') + 1) + " data: URI carries no data", param);
        }
        checkBase64(data, param);
        return new DataUri(canonical, data);
    }

    private static void checkBase64(String data, String param) {
        if (!MediaTypes.looksLikeBase64(data)) {
            throw bad("'" + param + "' does not hold valid base64 data", param);
        }
    }

    private static List<ToolCall> parseToolCalls(Object v, String path) {
        if (v == null) {
            return List.of();
        }
        List<Object> list = Json.asList(v);
        if (list == null) {
            throw bad("'" + path + "' must be an array", path);
        }
        List<ToolCall> out = new ArrayList<>(list.size());
        for (int k = 0; k < list.size(); k++) {
            String p = path + "[" + k + "]";
            Map<String, Object> tc = Json.asObject(list.get(k));
            Map<String, Object> fn = Json.obj(tc, "function");
            if (fn == null || !(fn.get("name") instanceof String name) || name.isEmpty()) {
                throw bad("'" + p + ".function.name' is required", p + ".function.name");
            }
            Object args = fn.get("arguments");
            if (args != null && !(args instanceof String)) {
                throw bad("'" + p + ".function.arguments' must be a JSON string", p + ".function.arguments");
            }
            out.add(new ToolCall(Json.str(tc, "id"), name, (String) args));
        }
        return out;
    }
}
