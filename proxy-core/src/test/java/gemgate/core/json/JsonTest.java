package gemgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void roundTripKeepsOrderTypesAndNulls() {
        String text = "{\"b\":1,\"a\":[true,null,2.5,\"x\"],\"c\":{\"d\":12345678901234567890}}";
        Object tree = Json.parse(text);
        assertThat(Json.writeString(tree)).as("write(parse(x)) must give back compact x").isEqualTo(text);
        Map<String, Object> m = Json.asObject(tree);
        assertThat(m.get("b")).isEqualTo(1L);
        assertThat(Json.list(m, "a")).containsExactly(true, null, 2.5, "x");
    }

    @Test
    void malformedInputIsAClearError() {
        assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(JsonException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Json.parse("")).isInstanceOf(JsonException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> Json.parse("{} x")).isInstanceOf(JsonException.class);
        assertThatThrownBy(() -> Json.parseObject("[1]".getBytes())).isInstanceOf(JsonException.class);
    }

    @Test
    void nestingDepthIsBounded() {
        String deep = "[".repeat(Json.MAX_DEPTH + 5) + "]".repeat(Json.MAX_DEPTH + 5);
        assertThatThrownBy(() -> Json.parse(deep)).as("depth cap protects the stack").isInstanceOf(JsonException.class);
        assertThat(Json.parse("[".repeat(50) + "]".repeat(50))).isInstanceOf(List.class);
    }
}
