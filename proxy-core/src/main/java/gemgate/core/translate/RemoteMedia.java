package gemgate.core.translate;

import java.util.Objects;

/**
 * A file the proxy fetched from an http(s) URL named in a chat message (an {@code image_url} that is not a data URI),
 * ready to go to Gemini as {@code inlineData}. The server fetches (with its size cap, timeout and address rules)
 * before translating; translation itself never touches the network.
 */
public record RemoteMedia(String mimeType, byte[] data) {
    public RemoteMedia {
        Objects.requireNonNull(mimeType, "mimeType");
        Objects.requireNonNull(data, "data");
    }
}
