package gemgate.core.cache;

import java.util.Arrays;

/**
 * A response-cache key: a SHA-256 digest, compared by value. Built by {@link CacheKeys}; {@link #toString()} is a
 * short hex prefix, enough to follow one conversation through debug logs without showing anything of its text.
 */
public final class CacheKey {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] digest;
    private final int hash;

    CacheKey(byte[] digest) {
        if (digest == null || digest.length != 32) {
            throw new IllegalArgumentException("a cache key is a 32-byte SHA-256 digest");
        }
        this.digest = digest.clone();
        this.hash = Arrays.hashCode(digest);
    }

    /** The full digest as 64 hex characters. */
    public String hex() {
        StringBuilder b = new StringBuilder(64);
        for (byte x : digest) {
            b.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CacheKey k && k.hash == hash && Arrays.equals(k.digest, digest);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex().substring(0, 12);
    }
}
