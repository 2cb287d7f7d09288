package gemgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-09T10:11:12Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private StateFile file(int format, StateFile.Migration m) {
        return new StateFile(tmp, "keys", true, format, m, CLOCK);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheVersionedEnvelopeAndReadsItBack() throws IOException {
        StateFile f = file(1, StateFile.Migration.NONE);
        assertThat(f.read()).as("no file is an empty section, not an error").isInstanceOf(StateFile.Read.Missing.class);
        f.write(Json.object("keys", List.of("a", "b"), "n", 3L));

        Map<String, Object> envelope = Json.parseObject(Files.readAllBytes(tmp.resolve("keys.json")));
        assertThat(envelope).containsEntry("format", 1L).containsEntry("kind", "keys")
                .containsEntry("saved_at", "2025-03-09T10:11:12Z");
        assertThat(envelope.keySet()).containsExactly("format", "kind", "saved_at", "data");

        StateFile.Read r = f.read();
        assertThat(r).isInstanceOf(StateFile.Read.Loaded.class);
        assertThat(((StateFile.Read.Loaded) r).data()).isEqualTo(Json.object("keys", List.of("a", "b"), "n", 3L));
    }

    @Test
    void aCorruptFileIsMovedAsideUnchangedWithAMessageNamingBothPaths() throws IOException {
        byte[] garbage = "{\"format\":1,\"kind\":\"keys\",\"data\":{\"keys\":[\"AI".getBytes(StandardCharsets.UTF_8);
        Files.write(tmp.resolve("keys.json"), garbage);

        StateFile.Read r = file(1, StateFile.Migration.NONE).read();

        assertThat(r).isInstanceOf(StateFile.Read.MovedAside.class);
        StateFile.Read.MovedAside m = (StateFile.Read.MovedAside) r;
        assertThat(m.to().getFileName().toString()).isEqualTo("keys.json.corrupt-20250309T101112Z");
        assertThat(Files.readAllBytes(m.to())).as("the evidence is kept byte for byte").isEqualTo(garbage);
        assertThat(tmp.resolve("keys.json")).as("the section starts empty").doesNotExist();
        assertThat(m.message()).as("the log line names the broken file and where it went")
                .contains(tmp.resolve("keys.json").toAbsolutePath().toString())
                .contains(m.to().toAbsolutePath().toString())
                .contains("not valid JSON");
    }

    @Test
    void movingAsideNeverOverwritesEarlierEvidence() throws IOException {
        StateFile f = file(1, StateFile.Migration.NONE);
        Files.writeString(tmp.resolve("keys.json"), "first");
        f.read();
        Files.writeString(tmp.resolve("keys.json"), "second");
        f.read();
        Files.writeString(tmp.resolve("keys.json"), "third");
        f.read();
        assertThat(names()).containsExactly("keys.json.corrupt-20250309T101112Z", "keys.json.corrupt-20250309T101112Z-1",
                "keys.json.corrupt-20250309T101112Z-2");
        assertThat(Files.readString(tmp.resolve("keys.json.corrupt-20250309T101112Z"))).isEqualTo("first");
        assertThat(Files.readString(tmp.resolve("keys.json.corrupt-20250309T101112Z-2"))).isEqualTo("third");
    }

    @Test
    void aNewerFormatIsRefusedAndMovedAsideNotRead() throws IOException {
        Files.writeString(tmp.resolve("keys.json"), "{\"format\":2,\"kind\":\"keys\",\"data\":{}}");
        StateFile.Read r = file(1, StateFile.Migration.NONE).read();
        assertThat(r).isInstanceOf(StateFile.Read.MovedAside.class);
        assertThat(((StateFile.Read.MovedAside) r).message()).contains("format 2 is newer");
    }

    @Test
    void anOlderFormatIsMigratedOrMovedAsideWhenThereIsNoMigration() throws IOException {
        String v1 = "{\"format\":1,\"kind\":\"keys\",\"data\":{\"list\":\"a,b\"}}";
        Files.writeString(tmp.resolve("keys.json"), v1);
        StateFile.Read r = file(2, (from, data) -> {
            assertThat(from).isEqualTo(1);
            return Json.object("keys", List.of(((String) data.get("list")).split(",")));
        }).read();
        assertThat(r).isInstanceOf(StateFile.Read.Loaded.class);
        assertThat(((StateFile.Read.Loaded) r).data()).isEqualTo(Json.object("keys", List.of("a", "b")));
        assertThat(((StateFile.Read.Loaded) r).fileFormat()).isEqualTo(1);

        StateFile.Read refused = file(2, StateFile.Migration.NONE).read();
        assertThat(refused).as("without a migration an old file is kept aside, not misread")
                .isInstanceOf(StateFile.Read.MovedAside.class);
    }

    @Test
    void wrongShapesAreMovedAside() throws IOException {
        for (String bad : List.of("", "[]", "{\"format\":\"1\",\"kind\":\"keys\",\"data\":{}}",
                "{\"format\":1,\"kind\":\"stats\",\"data\":{}}", "{\"format\":1,\"kind\":\"keys\",\"data\":[]}",
                "{\"format\":0,\"kind\":\"keys\",\"data\":{}}", "{\"format\":1,\"kind\":\"keys\"}")) {
            Files.writeString(tmp.resolve("keys.json"), bad);
            assertThat(file(1, StateFile.Migration.NONE).read()).as("unusable content %s is moved aside", bad)
                    .isInstanceOf(StateFile.Read.MovedAside.class);
        }
        assertThat(names()).hasSize(7).allMatch(n -> n.startsWith("keys.json.corrupt-"));
    }
}
