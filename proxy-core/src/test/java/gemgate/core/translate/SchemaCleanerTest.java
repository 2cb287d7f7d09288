package gemgate.core.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaCleanerTest {

    private static String clean(String schema) {
        return Json.writeString(SchemaCleaner.clean(Json.asObject(Json.parse(schema)), "tools[0].function.parameters"));
    }

    @Test
    void dropsWhatGeminiDoesNotDocument() {
        assertThat(clean("{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"title\":\"T\","
                + "\"properties\":{\"id\":{\"type\":\"string\",\"format\":\"uuid\",\"default\":\"x\",\"examples\":[\"a\"],\"pattern\":\"^a\","
                + "\"minLength\":1},\"when\":{\"type\":\"string\",\"format\":\"date-time\"},\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0,"
                + "\"minimum\":1}},\"required\":[\"id\",\"ghost\"],\"additionalProperties\":false,\"strict\":true}"))
                .as("$schema, default, examples, pattern, unknown formats and required names without a property go; "
                        + "additionalProperties stays (parametersJsonSchema documents it)")
                .isEqualTo("{\"type\":\"object\",\"title\":\"T\",\"properties\":{\"id\":{\"type\":\"string\"},"
                        + "\"when\":{\"type\":\"string\",\"format\":\"date-time\"},\"n\":{\"type\":\"integer\",\"minimum\":1}},"
                        + "\"additionalProperties\":false,\"required\":[\"id\"]}");
    }

    @Test
    void inlinesRefsFromDefsAndDefinitions() {
        assertThat(clean("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/A\",\"description\":\"use\"},"
                + "\"b\":{\"$ref\":\"#/definitions/B\"}},\"$defs\":{\"A\":{\"type\":\"string\",\"description\":\"def\",\"enum\":[\"x\",null]}},"
                + "\"definitions\":{\"B\":{\"allOf\":[{\"$ref\":\"#/$defs/A\"},{\"description\":\"b\"}]}}}"))
                .as("the site's description wins; null in an enum makes the type nullable; allOf is merged, first keyword wins")
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":[\"string\",\"null\"],\"description\":\"use\",\"enum\":[\"x\"]},"
                        + "\"b\":{\"type\":[\"string\",\"null\"],\"description\":\"def\",\"enum\":[\"x\"]}}}");
    }

    @Test
    void cyclesAreCutWithTheBareType() {
        String out = clean("{\"type\":\"object\",\"properties\":{\"root\":{\"$ref\":\"#/$defs/Node\"}},\"$defs\":{\"Node\":"
                + "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"children\":{\"type\":\"array\","
                + "\"items\":{\"$ref\":\"#/$defs/Node\"}}}}}}");
        assertThat(out).as("the recursive reference becomes {type: object} one level down")
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"root\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                        + "\"children\":{\"type\":\"array\",\"items\":{\"type\":\"object\"}}}}}}");
        assertThat(clean("{\"$ref\":\"#\",\"type\":\"object\"}")).as("a reference to the root itself").isEqualTo("{\"type\":\"object\"}");
    }

    @Test
    void exponentialExpansionIsRefused() {
        // Ten references per level, six levels: a million nodes if expanded naively.
        StringBuilder defs = new StringBuilder("\"L0\":{\"type\":\"string\"}");
        for (int k = 1; k <= 6; k++) {
            defs.append(",\"L").append(k).append("\":{\"type\":\"object\",\"properties\":{");
            for (int p = 0; p < 10; p++) {
                defs.append(p == 0 ? "" : ",").append("\"p").append(p).append("\":{\"$ref\":\"#/$defs/L").append(k - 1).append("\"}");
            }
            defs.append("}}");
        }
        String schema = "{\"$defs\":{" + defs + "},\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/$defs/L6\"}}}";
        assertThatThrownBy(() -> clean(schema)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).error().param()).isEqualTo("tools[0].function.parameters"));
    }

    @Test
    void oneOfConstNullableAndTuples() {
        assertThat(clean("{\"oneOf\":[{\"const\":\"a\"},{\"type\":\"integer\",\"nullable\":true}],\"items\":[{\"type\":\"string\"}]}"))
                .isEqualTo("{\"prefixItems\":[{\"type\":\"string\"}],\"anyOf\":[{\"enum\":[\"a\"],\"type\":\"string\"},"
                        + "{\"type\":[\"integer\",\"null\"]}]}");
    }

    @Test
    void externalAndDanglingRefsAre400s() {
        assertThatThrownBy(() -> clean("{\"$ref\":\"https://example.com/s.json\"}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("external $ref");
        assertThatThrownBy(() -> clean("{\"$ref\":\"#/$defs/None\"}")).isInstanceOf(ApiException.class)
                .hasMessageContaining("points to no schema");
    }

    @Test
    void inputIsNotModified() {
        Map<String, Object> in = Json.asObject(Json.parse("{\"type\":\"object\",\"default\":{},\"properties\":{\"a\":{\"type\":\"string\"}}}"));
        String before = Json.writeString(in);
        SchemaCleaner.clean(in, "p");
        assertThat(Json.writeString(in)).isEqualTo(before);
    }
}
