package gemgate.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheKeysTest {
    private static final String MODEL = "gemini-2.5-flash";

    /** A generateContent body as ChatToGemini writes it: system instruction, turns, then generation config. */
    private static byte[] body(double temperature, String system, String... turns) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("systemInstruction", Json.object("parts", List.of(Json.object("text", system))));
        List<Object> contents = new ArrayList<>();
        for (int i = 0; i < turns.length; i++) {
            contents.add(Json.object("role", i % 2 == 0 ? "user" : "model", "parts", List.of(Json.object("text", turns[i]))));
        }
        b.put("contents", contents);
        b.put("generationConfig", Json.object("temperature", temperature));
        return Json.write(b);
    }

    private static final CacheKeys LAST_TWO = new CacheKeys(false, 2, false);
    private static final CacheKeys PRECISE = new CacheKeys(true, 2, false);

    @Test
    void nonPreciseKeysLookOnlyAtTheLastTurnsOfTheConversation() {
        CacheKey k = LAST_TWO.of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "new question", "x", "again"));
        CacheKey trimmed = LAST_TWO.of("ip:1", MODEL, body(0.7, "sys", "new question", "x", "again"));
        assertThat(trimmed).as("a client that trimmed its oldest turns still hits the same answer").isEqualTo(k);
        CacheKey edited = LAST_TWO.of("ip:1", MODEL, body(0.7, "sys", "changed", "old answer", "new question", "x", "again"));
        assertThat(edited).as("turns before the last N do not count").isEqualTo(k);
        assertThat(LAST_TWO.of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "new question", "x", "other")))
                .as("the last turn counts").isNotEqualTo(k);
        assertThat(LAST_TWO.of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "new question", "y", "again")))
                .as("the turn before it counts too (N = 2)").isNotEqualTo(k);
    }

    @Test
    void preciseKeysHashEveryTurn() {
        CacheKey k = PRECISE.of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "again"));
        assertThat(PRECISE.of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "again"))).isEqualTo(k);
        assertThat(PRECISE.of("ip:1", MODEL, body(0.7, "sys", "changed", "old answer", "again")))
                .as("PRECISE_CACHE: an edit anywhere in the conversation is another request").isNotEqualTo(k);
        assertThat(new CacheKeys(false, 2, false).of("ip:1", MODEL, body(0.7, "sys", "old question", "old answer", "again")))
                .as("precise and non-precise keys never collide").isNotEqualTo(k);
    }

    @Test
    void everyParameterTheModelAndTheScopeCount() {
        for (CacheKeys keys : List.of(LAST_TWO, PRECISE)) {
            CacheKey k = keys.of("ip:1", MODEL, body(0.7, "sys", "q"));
            assertThat(keys.of("ip:1", MODEL, body(0.7, "sys", "q"))).as("deterministic").isEqualTo(k);
            assertThat(keys.of("ip:1", MODEL, body(1.0, "sys", "q"))).as("generationConfig counts (unlike hajimi)").isNotEqualTo(k);
            assertThat(keys.of("ip:1", MODEL, body(0.7, "other sys", "q"))).as("the system instruction counts").isNotEqualTo(k);
            assertThat(keys.of("ip:1", "gemini-2.5-pro", body(0.7, "sys", "q"))).as("the model counts").isNotEqualTo(k);
            assertThat(keys.of("ip:2", MODEL, body(0.7, "sys", "q"))).as("another client is another scope").isNotEqualTo(k);
        }
        CacheKeys shared = new CacheKeys(false, 2, true);
        assertThat(shared.of("ip:1", MODEL, body(0.7, "sys", "q"))).as("sharing ignores the client")
                .isEqualTo(shared.of("ip:2", MODEL, body(0.7, "sys", "q")));
    }

    @Test
    void toolsAndOtherTopLevelFieldsCountInNonPreciseMode() {
        byte[] withTool = ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"q\"}]}],"
                + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\"}]}],\"cachedContent\":\"c1\"}").getBytes(StandardCharsets.UTF_8);
        byte[] otherTool = ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"q\"}]}],"
                + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"b\"}]}],\"cachedContent\":\"c1\"}").getBytes(StandardCharsets.UTF_8);
        byte[] otherScalar = ("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"q\"}]}],"
                + "\"tools\":[{\"functionDeclarations\":[{\"name\":\"a\"}]}],\"cachedContent\":\"c2\"}").getBytes(StandardCharsets.UTF_8);
        CacheKey k = LAST_TWO.of(null, MODEL, withTool);
        assertThat(LAST_TWO.of(null, MODEL, otherTool)).as("tools count").isNotEqualTo(k);
        assertThat(LAST_TWO.of(null, MODEL, otherScalar)).as("scalar fields count").isNotEqualTo(k);
    }

    @Test
    void aBodyOfAnotherShapeIsHashedWhole() {
        byte[] a = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        byte[] b = "[1,2,4]".getBytes(StandardCharsets.UTF_8);
        assertThat(LAST_TWO.of("ip:1", MODEL, a)).isNotEqualTo(LAST_TWO.of("ip:1", MODEL, b));
        assertThat(LAST_TWO.of("ip:1", MODEL, "{\"contents\":".getBytes(StandardCharsets.UTF_8)))
                .as("a truncated body still gets a key").isNotNull();
        assertThat(LAST_TWO.of("ip:1", MODEL, a).hex()).hasSize(64);
    }

    @Test
    void lastTurnsMustBePositive() {
        assertThatThrownBy(() -> new CacheKeys(false, 0, false)).hasMessageContaining("CALCULATE_CACHE_ENTRIES");
    }
}
