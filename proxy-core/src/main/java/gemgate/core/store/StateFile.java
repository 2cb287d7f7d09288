package gemgate.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One section's file, {@code <dir>/<kind>.json}, holding a versioned envelope:
 * <pre>{"format": 1, "kind": "keys", "saved_at": "2025-01-31T12:00:00Z", "data": {...}}</pre>
 * {@code format} is the section's own schema version. Reading never resets silently: a file that cannot be used
 * (unreadable, not JSON, wrong shape, other kind, a format newer than this build knows, an older one without a
 * migration, or one the migration rejects) is renamed to {@code <kind>.json.corrupt-<UTC time>}, never overwritten,
 * and the caller logs {@link Read.MovedAside#message()}. Writes go through {@link AtomicFiles}. Not thread-safe; the
 * {@link StateStore} serialises access.
 */
public final class StateFile {
    /** Files larger than this are not state gemgate wrote; they are moved aside rather than read into memory. */
    public static final long MAX_BYTES = 256L << 20;

    private static final Pattern KIND = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * Turns an older format's data into the current format's. Throw (any runtime exception) when it cannot; the file
     * is then moved aside like a corrupt one.
     */
    @FunctionalInterface
    public interface Migration {
        Map<String, Object> migrate(int fromFormat, Map<String, Object> data);

        /** No older formats are known: an older file is moved aside. */
        Migration NONE = (from, data) -> {
            throw new IllegalStateException("no migration from format " + from);
        };
    }

    /** What {@link #read()} found. */
    public sealed interface Read {
        /** No file: a first start, or storage newly pointed somewhere else. */
        record Missing() implements Read {}

        /** A usable file; {@code data} is in the current format (migrated if it was older). */
        record Loaded(Map<String, Object> data, int fileFormat) implements Read {}

        /** The file was unusable and renamed; {@code message} is the ERROR line to log, naming both paths. */
        record MovedAside(Path from, Path to, String reason, String message) implements Read {}
    }

    private final Path file;
    private final String kind;
    private final boolean ownerOnly;
    private final int format;
    private final Migration migration;
    private final Clock clock;

    /**
     * @param kind      the section name, lower case letters, digits, '-' and '_'; the file is {@code <kind>.json}
     * @param ownerOnly the file holds secrets (mode 600)
     * @param format    the current format number of this section's data, at least 1
     */
    public StateFile(Path dir, String kind, boolean ownerOnly, int format, Migration migration, Clock clock) {
        if (dir == null || clock == null || migration == null) {
            throw new IllegalArgumentException("dir, migration and clock are required");
        }
        checkKind(kind);
        if (format < 1) {
            throw new IllegalArgumentException("format must be >= 1, got " + format);
        }
        this.file = dir.resolve(kind + ".json");
        this.kind = kind;
        this.ownerOnly = ownerOnly;
        this.format = format;
        this.migration = migration;
        this.clock = clock;
    }

    static void checkKind(String kind) {
        if (kind == null || !KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("a state section name is 1-64 of a-z, 0-9, '-', '_' (starting with a"
                    + " letter or digit), got " + kind);
        }
    }

    public Path path() {
        return file;
    }

    /** Reads the file; an unusable one is moved aside (see the class comment). */
    public Read read() {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                return moveAside("larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Read.Missing();
        } catch (IOException e) {
            if (!Files.exists(file)) {
                return new Read.Missing();
            }
            return moveAside("cannot be read: " + e);
        }
        Map<String, Object> envelope;
        try {
            envelope = Json.parseObject(bytes);
        } catch (JsonException e) {
            return moveAside("not valid JSON (" + e.getMessage() + ")");
        }
        Object f = envelope.get("format");
        if (!(f instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
            return moveAside("no valid \"format\" number");
        }
        int fileFormat = (int) (long) n;
        if (!kind.equals(envelope.get("kind"))) {
            return moveAside("\"kind\" is " + Json.writeString(envelope.get("kind")) + ", expected \"" + kind + "\"");
        }
        Map<String, Object> data = Json.asObject(envelope.get("data"));
        if (data == null) {
            return moveAside("no \"data\" object");
        }
        if (fileFormat > format) {
            return moveAside("format " + fileFormat + " is newer than this gemgate understands (" + format
                    + "); was it written by a later version?");
        }
        if (fileFormat < format) {
            try {
                data = migration.migrate(fileFormat, data);
                if (data == null) {
                    throw new IllegalStateException("the migration returned nothing");
                }
            } catch (RuntimeException e) {
                return moveAside("format " + fileFormat + " could not be migrated to " + format + ": " + e.getMessage());
            }
        }
        return new Read.Loaded(data, fileFormat);
    }

    /**
     * Renames the file to {@code <kind>.json.corrupt-<UTC time>} (a numbered suffix when that exists), so the evidence
     * is kept and the section starts empty.
     *
     * @throws UncheckedIOException when even the rename fails: starting empty would then overwrite the evidence
     */
    public Read.MovedAside moveAside(String reason) {
        String base = file.getFileName() + ".corrupt-" + STAMP.format(clock.instant());
        for (int i = 0; ; i++) {
            Path to = file.resolveSibling(i == 0 ? base : base + "-" + i);
            try {
                Files.move(file, to);
                String message = "state file " + file.toAbsolutePath() + " is unusable (" + reason + "); moved it to "
                        + to.toAbsolutePath() + " and starting this section (" + kind + ") empty. Inspect or delete"
                        + " that file; restore it by moving it back while gemgate is stopped.";
                return new Read.MovedAside(file, to, reason, message);
            } catch (FileAlreadyExistsException taken) {
                if (i >= 1000) {
                    throw new UncheckedIOException("no free name to move " + file + " aside", taken);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("state file " + file.toAbsolutePath() + " is unusable (" + reason
                        + ") and could not be moved aside: " + e + ". Move or delete it by hand.", e);
            }
        }
    }

    /** Atomically replaces the file with {@code data} in the current format. */
    public void write(Map<String, Object> data) throws IOException {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("format", (long) format);
        envelope.put("kind", kind);
        envelope.put("saved_at", clock.instant().toString());
        envelope.put("data", data == null ? Map.of() : data);
        AtomicFiles.write(file, render(envelope), ownerOnly);
    }

    /** Pretty-printed, so an operator can read (and in an emergency, edit) the file. */
    static byte[] render(Object tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            Json.writeValue(g, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }
}
