package gemgate.core.openai;

/** One part of a chat message's content, already validated. */
public sealed interface ContentPart permits ContentPart.Text, ContentPart.Image, ContentPart.Media, ContentPart.Remote {

    record Text(String text) implements ContentPart {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text must not be null");
            }
        }
    }

    /** An inline image from a {@code data:<mime>;base64,<data>} URI, its MIME type one Gemini accepts. {@code detail}
     *  is kept for logs; Gemini has no equivalent. */
    record Image(String mimeType, String base64Data, String detail) implements ContentPart {
        public Image {
            if (mimeType == null || mimeType.isEmpty() || base64Data == null) {
                throw new IllegalArgumentException("an image needs a mime type and base64 data");
            }
        }
    }

    /** Inline audio ({@code input_audio}) or a file ({@code file.file_data}); {@code filename} may be null. */
    record Media(String mimeType, String base64Data, String filename) implements ContentPart {
        public Media {
            if (mimeType == null || mimeType.isEmpty() || base64Data == null) {
                throw new IllegalArgumentException("media needs a mime type and base64 data");
            }
        }
    }

    /** An http(s) {@code image_url}: the server fetches it (when allowed) before translation. */
    record Remote(String url, String detail) implements ContentPart {
        public Remote {
            if (url == null || url.isEmpty()) {
                throw new IllegalArgumentException("a remote part needs a URL");
            }
        }
    }
}
