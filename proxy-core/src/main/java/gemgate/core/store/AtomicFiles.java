package gemgate.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Crash-safe file replacement: the new content goes to a temporary file in the target's directory, is forced to
 * disk, then renamed over the target in one atomic step, and the directory is forced so the rename itself survives a
 * power cut. A reader (or a restart after {@code kill -9}) therefore sees the old file or the new one, never a mix.
 *
 * <p>Temporary files are named {@code .<target name>.<random>.tmp}; a crash can leave one behind, which
 * {@link #cleanLeftovers} removes at the next start. Owner-only files are created with mode {@code rw-------} from the
 * first byte (where the file system is POSIX), so a key file is never briefly readable by others. Blocking: call from
 * a writer thread or at start-up, never from an event loop.
 */
public final class AtomicFiles {
    /** Suffix of every temporary file written here; {@link #cleanLeftovers} removes only these. */
    public static final String TEMP_SUFFIX = ".tmp";

    private static final String OWNER_ONLY = "rw-------";
    private static final String SHARED = "rw-r--r--";
    private static final String OWNER_ONLY_DIR = "rwx------";

    private AtomicFiles() {}

    /**
     * Atomically replaces (or creates) {@code target} with {@code content}. The directory must exist.
     *
     * @param ownerOnly true for files holding secrets (keys, password): mode {@code rw-------} where POSIX is supported
     * @throws IOException when the content could not be written; the old file, if any, is then left untouched
     */
    public static void write(Path target, byte[] content, boolean ownerOnly) throws IOException {
        if (target == null || content == null) {
            throw new IllegalArgumentException("target and content are required");
        }
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) {
            throw new IllegalArgumentException("target must be a file inside a directory, got " + target);
        }
        Path tmp = posix(dir)
                ? Files.createTempFile(dir, "." + abs.getFileName() + ".", TEMP_SUFFIX,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(ownerOnly ? OWNER_ONLY : SHARED)))
                : Files.createTempFile(dir, "." + abs.getFileName() + ".", TEMP_SUFFIX);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Some file systems (FAT on Android external storage, a few network mounts) refuse atomic renames;
                // a plain replacing rename is the best they offer.
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        syncDirectory(dir);
    }

    /**
     * Creates {@code dir} (and missing parents) with mode {@code rwx------} where POSIX is supported; an existing
     * directory is left as it is (its owner chose its mode).
     *
     * @return the directory
     */
    public static Path ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path abs = dir.toAbsolutePath();
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && posix(existing)) {
            FileAttribute<Set<PosixFilePermission>> mode =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY_DIR));
            try {
                Files.createDirectories(abs, mode);
            } catch (FileAlreadyExistsException raced) {
                // Another process made it in between; fine if it is a directory.
                if (!Files.isDirectory(abs)) {
                    throw raced;
                }
            }
        } else {
            Files.createDirectories(abs);
        }
        return dir;
    }

    /**
     * Deletes temporary files a crash left in {@code dir} (regular files named {@code .<name>.<random>.tmp}).
     *
     * @return the deleted files, for the log
     */
    public static List<Path> cleanLeftovers(Path dir) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + TEMP_SUFFIX)) {
            for (Path p : files) {
                if (isLeftover(p.getFileName().toString()) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(p);
                    deleted.add(p);
                }
            }
        }
        return deleted;
    }

    /** {@code .<name>.<random>.tmp}, as {@link Files#createTempFile} names them with our prefix and suffix. */
    static boolean isLeftover(String name) {
        if (!name.startsWith(".") || !name.endsWith(TEMP_SUFFIX)) {
            return false;
        }
        String middle = name.substring(1, name.length() - TEMP_SUFFIX.length());
        int dot = middle.lastIndexOf('.');
        return dot > 0 && dot < middle.length() - 1 && middle.substring(dot + 1).chars().allMatch(Character::isDigit);
    }

    /** Makes a rename durable; best effort, as some file systems (and Windows) refuse to open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
            // The content is synced; only the rename could be lost on a power cut, leaving the previous version.
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
