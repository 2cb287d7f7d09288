package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * THOUGHT_DISPLAY end to end with a plain JDK client, for clients without a reasoning_content field: think_tags puts
 * the thoughts in the content inside {@code <think>} tags, hidden drops them (and does not ask Gemini for them).
 * Each mode is checked for plain answers, real streams and fake streams.
 */
class ThoughtDisplayE2ETest {
    private static final String KEY = "test-key-good";
    private static final String THOUGHT = "The user wants a direction. Left is shorter.";
    private static final String ANSWER = "Go left.";

    private static String request(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"left or right?\"}]}";
    }

    private static Map<String, Object> message(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(res.body().getBytes());
        return Json.obj(Json.asObject(Json.list(body, "choices").get(0)), "message");
    }

    /** Concatenated content of choice 0, and whether any delta carried reasoning_content. */
    private static String[] streamed(HttpResponse<String> res) {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        SseEvents events = SseEvents.parse(res.body());
        assertThat(events.endsWithDone()).isTrue();
        StringBuilder reasoning = new StringBuilder();
        for (Map<String, Object> e : events.json()) {
            for (Object c : Json.list(e, "choices")) {
                String r = Json.str(Json.obj(Json.asObject(c), "delta"), "reasoning_content");
                reasoning.append(r == null ? "" : r);
            }
        }
        return new String[] {events.content(), reasoning.toString()};
    }

    private static Map<String, Object> lastThinkingConfig(Harness h) {
        return Json.obj(Json.obj(OpenAiSdkToolsE2ETest.lastGenerateBody(h), "generationConfig"), "thinkingConfig");
    }

    @Test
    void thinkTagsPutThoughtsInTheContentInEveryMode() {
        String tagged = "<think>\n" + THOUGHT + "\n</think>\n\n" + ANSWER;
        for (String fake : new String[] {"false", "true"}) {
            try (Harness h = Harness.start("THOUGHT_DISPLAY", "think_tags", "FAKE_STREAMING", fake,
                    "FAKE_STREAMING_INTERVAL", "0.2")) {
                h.emulator.script(KEY, Behavior.thinking().withThought(THOUGHT).withText(ANSWER).withChunks(3, Duration.ZERO));
                Map<String, Object> m = message(h.post("/v1/chat/completions", request("gemini-2.5-flash", false, "")));
                assertThat(m).as("think_tags: thoughts lead the content").containsEntry("content", tagged)
                        .doesNotContainKey("reasoning_content");
                assertThat(lastThinkingConfig(h)).as("thoughts are asked for").containsEntry("includeThoughts", true);

                String[] s = streamed(h.post("/v1/chat/completions", request("gemini-2.5-flash", true, "")));
                assertThat(s[0]).as("fake=%s: the stream's content is the same text", fake).isEqualTo(tagged);
                assertThat(s[1]).as("fake=%s: no reasoning_content deltas", fake).isEmpty();

                h.emulator.script(KEY, Behavior.functionCall("pick", "{\"side\":\"left\"}").withThought(THOUGHT));
                String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"pick\",\"parameters\":{\"type\":\"object\","
                        + "\"properties\":{\"side\":{\"type\":\"string\"}}}}}]";
                Map<String, Object> call = message(h.post("/v1/chat/completions", request("gemini-3-flash-preview", false, tools)));
                assertThat(call).as("a thought before a tool call is closed before the call")
                        .containsEntry("content", "<think>\n" + THOUGHT + "\n</think>\n\n");
                assertThat(Json.list(call, "tool_calls")).hasSize(1);
                String[] sc = streamed(h.post("/v1/chat/completions", request("gemini-3-flash-preview", true, tools)));
                assertThat(sc[0]).as("fake=%s", fake).isEqualTo("<think>\n" + THOUGHT + "\n</think>\n\n");
            }
        }
    }

    @Test
    void hiddenDropsThoughtsAndDoesNotAskForThem() {
        for (String fake : new String[] {"false", "true"}) {
            try (Harness h = Harness.start("THOUGHT_DISPLAY", "hidden", "FAKE_STREAMING", fake,
                    "FAKE_STREAMING_INTERVAL", "0.2")) {
                // The emulator sends thoughts even unasked, so this also proves the proxy drops them.
                h.emulator.script(KEY, Behavior.thinking().withThought(THOUGHT).withText(ANSWER).withChunks(2, Duration.ZERO));
                Map<String, Object> m = message(h.post("/v1/chat/completions",
                        request("gemini-2.5-flash", false, ",\"reasoning_effort\":\"high\"")));
                assertThat(m).containsEntry("content", ANSWER).doesNotContainKey("reasoning_content");
                assertThat(lastThinkingConfig(h)).as("the effort still applies, but thoughts are not requested")
                        .isEqualTo(Map.of("thinkingBudget", 24576L));

                String[] s = streamed(h.post("/v1/chat/completions", request("gemini-2.5-flash", true, "")));
                assertThat(s[0]).as("fake=%s", fake).isEqualTo(ANSWER);
                assertThat(s[1]).as("fake=%s", fake).isEmpty();
                Map<String, Object> cfg = lastThinkingConfig(h);
                assertThat(cfg == null ? Map.of() : cfg).as("no includeThoughts without an effort either")
                        .doesNotContainKey("includeThoughts");

                Map<String, Object> usage = Json.obj(Json.parseObject(h.post("/v1/chat/completions",
                        request("gemini-2.5-flash", false, "")).body().getBytes()), "usage");
                assertThat(Json.num(Json.obj(usage, "completion_tokens_details"), "reasoning_tokens", 0))
                        .as("hidden thoughts are still counted, as Google bills them").isPositive();
            }
        }
    }
}
