package gemgate.core.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The only ways a Gemini key is ever shown: masked, or as a fingerprint. */
public final class KeyMask {
    /** Google API keys: "AIza" followed by 35 URL-safe characters. */
    private static final Pattern GOOGLE_KEY = Pattern.compile("AIza[0-9A-Za-z_-]{35}");

    private KeyMask() {}

    /** {@code AIza…wxyz}: enough to tell keys apart in a list, useless to an attacker. */
    public static String mask(String key) {
        if (key == null || key.isEmpty()) {
            return "(none)";
        }
        if (key.length() < 12) {
            return "****";
        }
        return key.substring(0, 4) + "…" + key.substring(key.length() - 4);
    }

    /** Short stable id for logs and metrics: first 8 hex chars of SHA-256. */
    public static String fingerprint(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }

    /** Masks anything shaped like a Google key inside free text (upstream messages, exceptions). */
    public static String scrub(String text) {
        if (text == null || text.indexOf("AIza") < 0) {
            return text;
        }
        Matcher m = GOOGLE_KEY.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(mask(m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * {@link #scrub(String)} for a UTF-8 body. Returns the same array when nothing key-shaped is in it (the usual case:
     * only bodies that contain the bytes "AIza" are decoded at all).
     */
    public static byte[] scrub(byte[] utf8) {
        if (utf8 == null || indexOf(utf8, AIZA) < 0) {
            return utf8;
        }
        String text = new String(utf8, StandardCharsets.UTF_8);
        String scrubbed = scrub(text);
        return scrubbed.equals(text) ? utf8 : scrubbed.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] AIZA = {'A', 'I', 'z', 'a'};

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
