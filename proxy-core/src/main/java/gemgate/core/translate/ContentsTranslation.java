package gemgate.core.translate;

import static gemgate.core.translate.ChatToGemini.abbreviate;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.MediaTypes;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import gemgate.core.models.ModelTraits;
import gemgate.core.openai.ChatMessage;
import gemgate.core.openai.ContentPart;
import gemgate.core.openai.ToolCall;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages part of {@link ChatToGemini}: leading system/developer messages become the systemInstruction parts, the
 * rest become Gemini turns (text, inline media, fetched remote media, function calls with their thought signatures and
 * function responses). Consecutive turns with the same role are merged, except that function responses keep a turn of
 * their own. A small mutable builder, used by one translation only.
 */
final class ContentsTranslation {
    /** Google's documented stand-in for a Gemini 3 functionCall replayed without its thoughtSignature. */
    static final String SKIP_SIGNATURE = "skip_thought_signature_validator";

    private final List<Object> systemParts = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();

    private ContentsTranslation() {}

    /**
     * Translates {@code msgs} for {@code model} (the upstream name); {@code fetched} holds the server-fetched remote
     * media by URL. A request without any non-empty user or assistant turn is a 400.
     */
    static ContentsTranslation of(List<ChatMessage> msgs, String model, Map<String, RemoteMedia> fetched) {
        ContentsTranslation c = new ContentsTranslation();
        int i = 0;
        for (; i < msgs.size() && msgs.get(i).role().isSystem(); i++) {
            c.systemParts.addAll(textOnlyParts(msgs.get(i), i));
        }
        boolean gemini3 = ModelTraits.isGemini3OrLater(model);
        Map<String, String> toolNames = new HashMap<>();
        for (; i < msgs.size(); i++) {
            ChatMessage m = msgs.get(i);
            String at = "messages[" + i + "]";
            switch (m.role()) {
                case SYSTEM, DEVELOPER -> add(c.turns, "user", Kind.PLAIN, textOnlyParts(m, i));
                case USER -> add(c.turns, "user", Kind.PLAIN, parts(m, at, fetched));
                case ASSISTANT -> {
                    List<Object> parts = parts(m, at, fetched);
                    for (int k = 0; k < m.toolCalls().size(); k++) {
                        ToolCall tc = m.toolCalls().get(k);
                        if (tc.id() != null) {
                            toolNames.put(tc.id(), tc.name());
                        }
                        String param = at + (tc.id() == null && m.toolCalls().size() == 1 && k == 0
                                ? ".function_call.arguments" : ".tool_calls[" + k + "].function.arguments");
                        Map<String, Object> part = Json.object("functionCall",
                                Json.object("name", tc.name(), "args", arguments(tc.arguments(), param)));
                        String signature = ToolCallIds.signatureOf(tc.id());
                        if (signature == null && gemini3 && k == 0) {
                            // Gemini 3 validates the first call of each step; the client lost (or never had) ours.
                            signature = SKIP_SIGNATURE;
                        }
                        if (signature != null) {
                            part.put("thoughtSignature", signature);
                        }
                        parts.add(part);
                    }
                    add(c.turns, "model", m.toolCalls().isEmpty() ? Kind.PLAIN : Kind.CALLS, parts);
                }
                case TOOL -> {
                    String name = m.toolCallId() == null ? null : toolNames.get(m.toolCallId());
                    if (name == null) {
                        name = m.name(); // the legacy "function" role, or a client that rewrote the ids
                    }
                    if (name == null) {
                        throw new ApiException(ApiError.badRequest("'" + at + ".tool_call_id' does not match the id of "
                                + "any earlier assistant tool call", at + ".tool_call_id"));
                    }
                    List<Object> parts = new ArrayList<>();
                    parts.add(Json.object("functionResponse", Json.object("name", name, "response", toolResult(m.text()))));
                    add(c.turns, "user", Kind.RESPONSES, parts);
                }
                default -> throw new IllegalStateException("unhandled role " + m.role());
            }
        }
        if (c.turns.isEmpty()) {
            throw new ApiException(ApiError.badRequest("messages must contain at least one non-empty user or assistant message",
                    "messages"));
        }
        return c;
    }

    /** The systemInstruction parts; empty when there are no leading system messages. */
    List<Object> systemParts() {
        return systemParts;
    }

    /** The number of turns so far. */
    int size() {
        return turns.size();
    }

    /** The Gemini {@code contents} array. */
    List<Object> contents() {
        List<Object> contents = new ArrayList<>(turns.size());
        for (Turn t : turns) {
            contents.add(Json.object("role", t.role, "parts", t.parts));
        }
        return contents;
    }

    /**
     * Inserts a user text turn at {@code index}, moved earlier when that would split a function call turn from the
     * responses that answer it (Gemini 3 rejects that, and it confuses every model).
     */
    void insertUserText(int index, String text) {
        int at = Math.max(0, Math.min(index, turns.size()));
        while (at > 0 && (turns.get(at - 1).kind == Kind.CALLS
                || at < turns.size() && turns.get(at).kind == Kind.RESPONSES)) {
            at--;
        }
        List<Object> parts = new ArrayList<>();
        parts.add(Json.object("text", text));
        turns.add(at, new Turn("user", Kind.PLAIN, parts));
    }

    private enum Kind { PLAIN, CALLS, RESPONSES }

    private static final class Turn {
        final String role;
        final Kind kind;
        final List<Object> parts;

        Turn(String role, Kind kind, List<Object> parts) {
            this.role = role;
            this.kind = kind;
            this.parts = parts;
        }
    }

    /** Appends parts, merging into the last turn when the role matches, except across a function-response turn. */
    private static void add(List<Turn> turns, String role, Kind kind, List<Object> parts) {
        if (parts.isEmpty()) {
            return; // Gemini rejects empty text parts and empty turns
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role.equals(role) && (last.kind == Kind.RESPONSES) == (kind == Kind.RESPONSES)) {
            last.parts.addAll(parts);
            if (kind == Kind.CALLS && last.kind != Kind.CALLS) {
                turns.set(turns.size() - 1, new Turn(role, Kind.CALLS, last.parts));
            }
            return;
        }
        turns.add(new Turn(role, kind, new ArrayList<>(parts)));
    }

    private static List<Object> parts(ChatMessage m, String at, Map<String, RemoteMedia> fetched) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            ContentPart p = m.content().get(j);
            if (p instanceof ContentPart.Text t) {
                if (!t.text().isEmpty()) {
                    out.add(Json.object("text", t.text()));
                }
            } else if (p instanceof ContentPart.Image img) {
                out.add(inline(img.mimeType(), img.base64Data()));
            } else if (p instanceof ContentPart.Media media) {
                out.add(inline(media.mimeType(), media.base64Data()));
            } else if (p instanceof ContentPart.Remote r) {
                out.add(remote(r, fetched, at + ".content[" + j + "].image_url"));
            }
        }
        return out;
    }

    private static Map<String, Object> inline(String mime, String base64) {
        return Json.object("inlineData", Json.object("mimeType", mime, "data", base64));
    }

    private static Map<String, Object> remote(ContentPart.Remote r, Map<String, RemoteMedia> fetched, String param) {
        RemoteMedia media = fetched == null ? null : fetched.get(r.url());
        if (media == null) {
            throw new ApiException(ApiError.badRequest("image URLs are not fetched: remote image fetching is disabled on this "
                    + "proxy. Send the image as a data: URI (data:image/png;base64,...) or ask the operator to enable remote "
                    + "media fetching (FETCH_REMOTE_MEDIA=true).", param));
        }
        String mime = MediaTypes.canonical(media.mimeType());
        if (mime == null || !MediaTypes.isBinaryMedia(mime)) {
            throw new ApiException(ApiError.badRequest("the file at '" + abbreviate(r.url()) + "' is '"
                    + abbreviate(media.mimeType()) + "', which Gemini does not accept; supported: " + MediaTypes.SUPPORTED, param));
        }
        return inline(mime, Base64.getEncoder().encodeToString(media.data()));
    }

    /** System text goes to systemInstruction or a user turn; an image there is almost surely a client bug. */
    private static List<Object> textOnlyParts(ChatMessage m, int index) {
        List<Object> out = new ArrayList<>();
        for (int j = 0; j < m.content().size(); j++) {
            if (!(m.content().get(j) instanceof ContentPart.Text t)) {
                throw new ApiException(ApiError.badRequest("system and developer messages may contain only text",
                        "messages[" + index + "].content[" + j + "]"));
            }
            if (!t.text().isEmpty()) {
                out.add(Json.object("text", t.text()));
            }
        }
        return out;
    }

    private static Object arguments(String json, String param) {
        if (json == null || json.isBlank()) {
            return Json.object();
        }
        try {
            Object v = Json.parse(json);
            if (v instanceof Map) {
                return v;
            }
        } catch (JsonException e) {
            // fall through to the error below
        }
        throw new ApiException(ApiError.badRequest("'" + param + "' must be a JSON object encoded as a string", param));
    }

    /** A tool message's text: the object itself when it is a JSON object, else {"result": text}. */
    private static Map<String, Object> toolResult(String text) {
        String t = text.trim();
        if (t.startsWith("{")) {
            try {
                Map<String, Object> obj = Json.asObject(Json.parse(t));
                if (obj != null) {
                    return obj;
                }
            } catch (JsonException e) {
                // not JSON after all: send it as text
            }
        }
        return Json.object("result", text);
    }
}
