package gemgate.server.media;

import java.util.Locale;

/** The media type of a fetched file: the server's Content-Type, or magic bytes when it names none useful. */
final class MediaTypes {
    private MediaTypes() {}

    /** The type to send Gemini, or null when neither the header nor the bytes tell. */
    static String of(String contentType, byte[] data) {
        String declared = contentType == null ? "" : contentType;
        int semi = declared.indexOf(';');
        if (semi >= 0) {
            declared = declared.substring(0, semi);
        }
        declared = declared.trim().toLowerCase(Locale.ROOT);
        boolean generic = declared.isEmpty() || declared.equals("application/octet-stream")
                || declared.equals("binary/octet-stream") || declared.indexOf('/') < 0;
        if (!generic) {
            return declared;
        }
        return sniff(data);
    }

    /** PNG, JPEG, GIF and WebP by their signatures; null for anything else. */
    static String sniff(byte[] d) {
        if (d.length >= 8 && (d[0] & 0xff) == 0x89 && d[1] == 'P' && d[2] == 'N' && d[3] == 'G'
                && d[4] == '\r' && d[5] == '\n' && d[6] == 0x1a && d[7] == '\n') {
            return "image/png";
        }
        if (d.length >= 3 && (d[0] & 0xff) == 0xff && (d[1] & 0xff) == 0xd8 && (d[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (d.length >= 6 && d[0] == 'G' && d[1] == 'I' && d[2] == 'F' && d[3] == '8' && (d[4] == '7' || d[4] == '9') && d[5] == 'a') {
            return "image/gif";
        }
        if (d.length >= 12 && d[0] == 'R' && d[1] == 'I' && d[2] == 'F' && d[3] == 'F'
                && d[8] == 'W' && d[9] == 'E' && d[10] == 'B' && d[11] == 'P') {
            return "image/webp";
        }
        return null;
    }
}
