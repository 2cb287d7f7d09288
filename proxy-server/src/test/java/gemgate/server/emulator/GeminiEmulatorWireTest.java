package gemgate.server.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The emulator's JSON layout reproduces the recorded bytes, so the proxy sees what Google sends. */
class GeminiEmulatorWireTest {

    @Test
    void sseEventsAreLaidOutLikeTheRecording() {
        String recorded = new String(Samples.bytes("streaming-success-basic-reply-short.txt"), StandardCharsets.UTF_8);
        StringBuilder rebuilt = new StringBuilder();
        for (String frame : recorded.split("\r\n\r\n")) {
            Map<String, Object> event = Json.parseObject(frame.substring(6).getBytes(StandardCharsets.UTF_8));
            rebuilt.append(new String(EmulatorHandler.sseEvent(event), StandardCharsets.UTF_8));
        }
        assertThat(rebuilt.toString()).as("re-framing the recorded events gives the recorded bytes").isEqualTo(recorded);
    }

    @Test
    void jsonArrayModeIsLaidOutLikeTheRecording() {
        byte[] recorded = Samples.bytes("streamGenerateContent-no-alt-json-array-gemini-2.0-flash-real.json");
        List<Object> elements = Json.asList(Json.parse(recorded));
        StringBuilder rebuilt = new StringBuilder();
        for (int i = 0; i < elements.size(); i++) {
            rebuilt.append(new String(EmulatorHandler.arrayElement(Json.asObject(elements.get(i)), i == 0), StandardCharsets.UTF_8));
        }
        rebuilt.append("\n]");
        assertThat(rebuilt.toString()).isEqualTo(new String(recorded, StandardCharsets.UTF_8));
    }

    @Test
    void errorBodiesArePrettyPrintedLikeTheRecording() {
        byte[] recorded = Samples.bytes("unary-failure-api-key.json");
        String pretty = new String(WireJson.pretty(Json.parse(recorded)), StandardCharsets.UTF_8);
        assertThat(pretty).isEqualTo(new String(recorded, StandardCharsets.UTF_8).strip());
    }

    @Test
    void pageTokensAreGooglesProtoOfTheLastName() {
        assertThat(Answers.encodeToken("models/imagen-4.0-generate-001")).isEqualTo("Ch5tb2RlbHMvaW1hZ2VuLTQuMC1nZW5lcmF0ZS0wMDE=");
        assertThat(Answers.decodeToken("Ch5tb2RlbHMvaW1hZ2VuLTQuMC1nZW5lcmF0ZS0wMDE=")).isEqualTo("models/imagen-4.0-generate-001");
        assertThat(Answers.decodeToken("not base64!")).isNull();
        String longName = "models/" + "m".repeat(200);
        assertThat(Answers.decodeToken(Answers.encodeToken(longName))).isEqualTo(longName);
    }

    @Test
    void splittingKeepsEveryCodePoint() {
        String text = "héllo 😀 wörld";
        for (int n = 1; n <= 20; n++) {
            List<String> pieces = Answers.split(text, n);
            assertThat(pieces).hasSize(n);
            assertThat(String.join("", pieces)).isEqualTo(text);
            pieces.forEach(p -> assertThat(p.isEmpty() || !Character.isLowSurrogate(p.charAt(0))).isTrue());
        }
    }

    @Test
    void defaultTextEchoesAtMost200CodePointsOfTheLastUserTurn() {
        Map<String, Object> body = Json.parseObject(("{\"systemInstruction\":{\"parts\":[{\"text\":\"be brief\"}]},"
                + "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"first\"}]},{\"role\":\"model\",\"parts\":[{\"text\":\"ok\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"text\":\"" + "y".repeat(300) + "\"}]}]}").getBytes(StandardCharsets.UTF_8));
        Answers.Prompt p = Answers.prompt(body);
        assertThat(p.promptChars()).isEqualTo(8 + 5 + 2 + 300);
        assertThat(Answers.answerText(Behavior.ok(), p)).isEqualTo("[gemini-emulator] You said: " + "y".repeat(200));
        assertThat(Answers.answerText(Behavior.ok(), Answers.prompt(null))).startsWith("[gemini-emulator] ");
    }
}
