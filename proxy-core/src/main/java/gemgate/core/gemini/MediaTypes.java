package gemgate.core.gemini;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The MIME types Gemini accepts as {@code inlineData}, from Google's media guides: images png/jpeg/webp/heic/heif;
 * audio wav/mp3/aiff/aac/ogg/flac; video mp4/mpeg/mov/avi/flv/mpg/webm/wmv/3gpp; documents application/pdf and text
 * (plain, markdown, csv, html, xml, code). Common aliases (image/jpg, audio/mpeg, audio/x-wav, ...) are mapped to the
 * names Gemini documents.
 */
public final class MediaTypes {
    private static final Set<String> IMAGES = Set.of("image/png", "image/jpeg", "image/webp", "image/heic", "image/heif");
    private static final Set<String> AUDIO = Set.of("audio/wav", "audio/mp3", "audio/aiff", "audio/aac", "audio/ogg",
            "audio/flac");
    private static final Set<String> VIDEO = Set.of("video/mp4", "video/mpeg", "video/mov", "video/avi", "video/x-flv",
            "video/mpg", "video/webm", "video/wmv", "video/3gpp", "video/quicktime");
    private static final Set<String> DOCUMENTS = Set.of("application/pdf", "application/json", "application/xml",
            "application/rtf", "application/x-javascript", "application/x-typescript", "application/x-python-code");
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("image/jpg", "image/jpeg"), Map.entry("image/pjpeg", "image/jpeg"),
            Map.entry("audio/mpeg", "audio/mp3"), Map.entry("audio/mpeg3", "audio/mp3"), Map.entry("audio/x-mp3", "audio/mp3"),
            Map.entry("audio/x-wav", "audio/wav"), Map.entry("audio/wave", "audio/wav"), Map.entry("audio/vnd.wave", "audio/wav"),
            Map.entry("audio/x-aiff", "audio/aiff"), Map.entry("audio/x-aac", "audio/aac"), Map.entry("audio/x-flac", "audio/flac"),
            Map.entry("audio/vorbis", "audio/ogg"), Map.entry("text/md", "text/markdown"));
    /** input_audio's {@code format} names (OpenAI sends wav and mp3; others for clients that try). */
    private static final Map<String, String> AUDIO_FORMATS = Map.of("wav", "audio/wav", "mp3", "audio/mp3",
            "aiff", "audio/aiff", "aac", "audio/aac", "ogg", "audio/ogg", "flac", "audio/flac");
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(
            Map.entry("pdf", "application/pdf"), Map.entry("txt", "text/plain"), Map.entry("md", "text/markdown"),
            Map.entry("csv", "text/csv"), Map.entry("html", "text/html"), Map.entry("htm", "text/html"),
            Map.entry("xml", "text/xml"), Map.entry("json", "application/json"), Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("webp", "image/webp"),
            Map.entry("heic", "image/heic"), Map.entry("heif", "image/heif"), Map.entry("wav", "audio/wav"),
            Map.entry("mp3", "audio/mp3"), Map.entry("aiff", "audio/aiff"), Map.entry("aac", "audio/aac"),
            Map.entry("ogg", "audio/ogg"), Map.entry("flac", "audio/flac"), Map.entry("mp4", "video/mp4"),
            Map.entry("mov", "video/mov"), Map.entry("webm", "video/webm"));

    /** One line for error messages. */
    public static final String SUPPORTED = "images (png, jpeg, webp, heic, heif), audio (wav, mp3, aiff, aac, ogg, flac), "
            + "video (mp4, mpeg, mov, avi, flv, mpg, webm, wmv, 3gpp), application/pdf and text files";

    private MediaTypes() {}

    /** The name Gemini knows for {@code mime} (parameters such as ";charset=utf-8" dropped), or null if unsupported. */
    public static String canonical(String mime) {
        if (mime == null) {
            return null;
        }
        String m = mime.trim().toLowerCase(Locale.ROOT);
        int semi = m.indexOf(';');
        if (semi >= 0) {
            m = m.substring(0, semi).trim();
        }
        m = ALIASES.getOrDefault(m, m);
        if (IMAGES.contains(m) || AUDIO.contains(m) || VIDEO.contains(m) || DOCUMENTS.contains(m)) {
            return m;
        }
        if (m.startsWith("text/") && m.length() > 5 && m.indexOf('/', 5) < 0) {
            return m;
        }
        return null;
    }

    public static boolean isImage(String canonicalMime) {
        return IMAGES.contains(canonicalMime);
    }

    /** Image, audio, video or PDF: what a media URL may return (a text/html page there is an error page). */
    public static boolean isBinaryMedia(String canonicalMime) {
        return IMAGES.contains(canonicalMime) || AUDIO.contains(canonicalMime) || VIDEO.contains(canonicalMime)
                || "application/pdf".equals(canonicalMime);
    }

    /** input_audio {@code format} to a MIME type, or null. */
    public static String forAudioFormat(String format) {
        return format == null ? null : AUDIO_FORMATS.get(format.trim().toLowerCase(Locale.ROOT));
    }

    /** A supported MIME type guessed from a file name's extension, or null. */
    public static String forFileName(String filename) {
        if (filename == null) {
            return null;
        }
        int dot = filename.lastIndexOf('.');
        return dot < 0 ? null : EXTENSIONS.get(filename.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * A cheap structural check of base64 text (standard or URL-safe alphabet, padding only at the end, a length that
     * can be decoded); it does not decode. Gemini would reject anything else with a less helpful message.
     */
    public static boolean looksLikeBase64(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        int end = n;
        while (end > 0 && s.charAt(end - 1) == '=' && n - end < 2) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/' || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return end % 4 != 1 && (end == n || n % 4 == 0);
    }
}
