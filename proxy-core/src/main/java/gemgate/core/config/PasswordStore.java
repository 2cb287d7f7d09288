package gemgate.core.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

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
        Files.createDirectories(dir);
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        Path tmp;
        if (posix) {
            FileAttribute<Set<PosixFilePermission>> ownerOnly =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            tmp = Files.createTempFile(dir, ".password", ".tmp", ownerOnly);
        } else {
            tmp = Files.createTempFile(dir, ".password", ".tmp");
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (posix) {
            syncDirectory(dir);
        }
    }

    /** Makes the rename itself durable; best effort, as some file systems refuse to open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // The file content is already synced; losing only the rename on a crash means a new password next start.
        }
    }
}
