package gemgate.server.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import gemgate.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON trees the way Google's front end lays them out, so the proxy is tested against the real bytes: full
 * bodies pretty-printed with two-space indents and {@code "key": value}; SSE events on one line with {@code ": "} after
 * names and a bare {@code ,} between members (see the recorded googleai streaming samples).
 */
final class WireJson {
    private static final Separators SEPARATORS = Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEntrySpacing(Separators.Spacing.NONE)
            .withArrayValueSpacing(Separators.Spacing.NONE)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator("")
            .withRootSeparator("");
    private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");
    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(SEPARATORS)
            .withObjectIndenter(INDENT)
            .withArrayIndenter(INDENT);
    private static final DefaultPrettyPrinter ONE_LINE = new DefaultPrettyPrinter(SEPARATORS)
            .withObjectIndenter(new DefaultPrettyPrinter.NopIndenter())
            .withArrayIndenter(new DefaultPrettyPrinter.NopIndenter());

    private WireJson() {}

    static byte[] pretty(Object tree) {
        return write(tree, PRETTY);
    }

    static byte[] oneLine(Object tree) {
        return write(tree, ONE_LINE);
    }

    private static byte[] write(Object tree, DefaultPrettyPrinter printer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = Json.factory().createGenerator(out)) {
            g.setPrettyPrinter(printer.createInstance());
            Json.writeValue(g, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A deep, mutable copy of a parsed tree, so templates stay untouched. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T tree) {
        if (tree instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put((String) k, copy(v)));
            return (T) c;
        }
        if (tree instanceof List<?> l) {
            List<Object> c = new ArrayList<>(l.size());
            l.forEach(v -> c.add(copy(v)));
            return (T) c;
        }
        return tree;
    }
}
