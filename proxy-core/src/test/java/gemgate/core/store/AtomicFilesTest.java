package gemgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private long filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void writeCreatesThenReplacesWholeAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("keys.json");
        AtomicFiles.write(f, "first".getBytes(StandardCharsets.UTF_8), true);
        assertThat(Files.readString(f)).isEqualTo("first");
        AtomicFiles.write(f, "second, longer".getBytes(StandardCharsets.UTF_8), true);
        assertThat(Files.readString(f)).as("the new content replaces the old one entirely").isEqualTo("second, longer");
        AtomicFiles.write(f, "3".getBytes(StandardCharsets.UTF_8), true);
        assertThat(Files.readString(f)).as("a shorter content leaves no tail of the old one").isEqualTo("3");
        assertThat(filesIn(tmp)).as("no temporary file is left after successful writes").isEqualTo(1);
    }

    @Test
    void ownerOnlyFilesAreMode600AndOthersAreNotWorldWritable() throws IOException {
        assumeTrue(posix(tmp), "POSIX file permissions");
        Path secret = tmp.resolve("keys.json");
        AtomicFiles.write(secret, new byte[] {1}, true);
        assertThat(perms(secret)).as("a file holding keys is readable by its owner only").isEqualTo("rw-------");
        // Replacing keeps the mode, since the replacement is created owner-only from its first byte.
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        AtomicFiles.write(secret, new byte[] {2}, true);
        assertThat(perms(secret)).as("a rewrite of a key file is owner-only again").isEqualTo("rw-------");

        Path stats = tmp.resolve("stats.json");
        AtomicFiles.write(stats, new byte[] {1}, false);
        assertThat(Files.getPosixFilePermissions(stats)).as("shared files are never group/world writable")
                .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE)
                .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void ensureDirectoryCreatesOwnerOnlyButLeavesAnExistingOneAlone() throws IOException {
        assumeTrue(posix(tmp), "POSIX file permissions");
        Path dir = tmp.resolve("a/b/data");
        AtomicFiles.ensureDirectory(dir);
        assertThat(perms(dir)).as("a new data directory is owner-only").isEqualTo("rwx------");

        Path existing = Files.createDirectory(tmp.resolve("existing"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rwxr-x---"));
        AtomicFiles.ensureDirectory(existing);
        assertThat(perms(existing)).as("the mode of an existing directory is the operator's choice").isEqualTo("rwxr-x---");
    }

    @Test
    void cleanLeftoversRemovesOnlyOurTemporaryFiles() throws IOException {
        Path ours1 = Files.writeString(tmp.resolve(".keys.json.1234567890.tmp"), "half");
        Path ours2 = Files.writeString(tmp.resolve(".settings.json.42.tmp"), "");
        Path state = Files.writeString(tmp.resolve("keys.json"), "{}");
        Path notOurs1 = Files.writeString(tmp.resolve("notes.tmp"), "x");
        Path notOurs2 = Files.writeString(tmp.resolve(".hidden.tmp"), "x");
        Path notOurs3 = Files.writeString(tmp.resolve(".keys.json.abc.tmp"), "x");
        Path dirNamedLikeOne = Files.createDirectory(tmp.resolve(".x.json.7.tmp"));

        assertThat(AtomicFiles.cleanLeftovers(tmp)).containsExactlyInAnyOrder(ours1, ours2);
        assertThat(ours1).as("a temporary file left by a crash is removed").doesNotExist();
        assertThat(ours2).doesNotExist();
        assertThat(state).as("state files are kept").exists();
        assertThat(notOurs1).as("files gemgate did not name are kept").exists();
        assertThat(notOurs2).exists();
        assertThat(notOurs3).exists();
        assertThat(dirNamedLikeOne).as("only regular files are removed").exists();
    }

    @Test
    void theTemporaryFileNamePatternMatchesWhatWriteCreates() throws IOException {
        // A write that fails after creating its temporary file would leave exactly such a name behind.
        Path f = Files.createTempFile(tmp, ".keys.json.", AtomicFiles.TEMP_SUFFIX);
        assertThat(AtomicFiles.isLeftover(f.getFileName().toString()))
                .as("names made by createTempFile with our prefix are recognised as leftovers").isTrue();
    }
}
