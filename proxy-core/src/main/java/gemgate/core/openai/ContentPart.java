package gemgate.core.openai;

/** One part of a chat message's content, already validated. */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image, ContentPart.RemoteImage {

    record Text(String text) implements ContentPart {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text must not be null");
            }
        }
    }

    /** An inline image from a {@code data:<mime>;base64,<data>} URI. {@code detail} is kept for logs; Gemini has no
     *  equivalent. */
    record Image(String mimeType, String base64Data, String detail) implements ContentPart {
        public Image {
            if (mimeType == null || mimeType.isEmpty() || base64Data == null) {
                throw new IllegalArgumentException("an image needs a mime type and base64 data");
            }
        }
    }

    /** An image named by an http(s) URL; the server fetches it (when allowed) before translation. */
    record RemoteImage(String url, String detail) implements ContentPart {
        public RemoteImage {
            if (url == null || url.isEmpty()) {
                throw new IllegalArgumentException("a remote image needs a URL");
            }
        }
    }
}
