package gemgate.core.config;

import gemgate.core.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The generated API password used when the operator sets none. It is kept in {@code <storage dir>/password} (mode
 * 600 where POSIX, written atomically) so clients keep working across restarts; never hajimi's guessable "123".
 */
final class PasswordStore {
    static final String FILE_NAME = "password";
    /** 24 random bytes = 192 bits, 32 URL-safe characters. */
    private static final int RANDOM_BYTES = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordStore() {}

    static String generate() {
        byte[] b = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Reads the stored password, or generates and stores a new one. Returns the password and its file. */
    static String loadOrCreate(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            String password = generate();
            writeAtomically(dir, file, password + "\n");
            return password;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new ConfigError("PASSWORD (gemgate.auth.password) is not set and the generated password could not be"
                    + " kept in " + file.toAbsolutePath() + " (" + e + "). Set PASSWORD, point STORAGE_DIR at a writable"
                    + " directory, or set ENABLE_STORAGE=false to use a new password on every start.", e);
        }
    }

    private static void writeAtomically(Path dir, Path file, String content) throws IOException {
        AtomicFiles.ensureDirectory(dir);
        AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8), true);
    }
}
