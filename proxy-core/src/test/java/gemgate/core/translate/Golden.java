package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads golden fixtures from the classpath; compares with (or, with -Dgolden.update=true, rewrites) expected files. */
public final class Golden {
    private static final Path SOURCE_DIR = Path.of("src/test/resources/golden");

    private Golden() {}

    public static byte[] bytes(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("missing golden fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** Pretty-prints a JSON body so golden files diff line by line. */
    public static String pretty(byte[] json) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = gemgate.core.json.Json.factory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            gemgate.core.json.Json.writeValue(g, gemgate.core.json.Json.parse(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8) + "\n";
    }

    /** Asserts that actual equals expected/{name}; writes it instead when golden.update is set. */
    public static void check(String name, String actual) {
        Path file = SOURCE_DIR.resolve("expected").resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        assertThat(actual).as("translation output must match the reviewed golden file expected/%s", name)
                .isEqualTo(text("expected/" + name));
    }
}
