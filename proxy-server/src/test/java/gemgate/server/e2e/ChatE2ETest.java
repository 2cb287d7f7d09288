package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chat through the proxy to the emulator: plain, real stream, errors, the client's own mistakes. */
class ChatE2ETest {
    static Harness h;

    @BeforeAll
    static void up() {
        h = Harness.start("GEMINI_API_KEYS", "test-key-good");
    }

    @AfterAll
    static void down() {
        h.close();
    }

    @BeforeEach
    void resetEmulator() {
        h.emulator.reset();
    }

    @Test
    void plainChatReturnsAnOpenAiCompletion() {
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "Hello there", false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        Map<String, Object> body = Json.parseObject(r.body().getBytes());
        assertThat(body.get("object")).isEqualTo("chat.completion");
        assertThat((String) body.get("id")).startsWith("chatcmpl-");
        Map<String, Object> choice = Json.asObject(Json.list(body, "choices").get(0));
        assertThat(Json.str(choice, "finish_reason")).isEqualTo("stop");
        assertThat(Json.str(Json.obj(choice, "message"), "content"))
                .as("the prompt reached Gemini and the answer came back").contains("Hello there");
        assertThat(Json.obj(body, "usage")).containsKeys("prompt_tokens", "completion_tokens", "total_tokens");
    }

    @Test
    void rootPathWithoutV1WorksForSillyTavernUsers() {
        HttpResponse<String> r = h.post("/chat/completions", Harness.chat("gemini-2.5-flash", "root", false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void keyTravelsInTheHeaderNeverInTheUrl() {
        h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "secret?", false));
        List<RecordedRequest> reqs = h.emulator.requests();
        assertThat(reqs).isNotEmpty();
        for (RecordedRequest rr : reqs) {
            assertThat(rr.apiKeyQuery()).as("no key in the URL: %s", rr.uri()).isNull();
            assertThat(rr.uri()).doesNotContain("key=");
            assertThat(rr.apiKeyHeader()).isEqualTo("test-key-good");
            assertThat(rr.headers().keySet().stream().map(String::toLowerCase))
                    .as("the proxy password never travels upstream").doesNotContain("authorization");
        }
    }

    @Test
    void realStreamSendsRoleThenContentThenFinishThenDone() {
        h.emulator.script("test-key-good", Behavior.ok().withText("one two three four five six").withChunks(3, Duration.ofMillis(20)));
        HttpResponse<String> r = h.post("/v1/chat/completions",
                "{\"model\":\"gemini-2.5-flash\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        SseEvents ev = SseEvents.parse(r.body());
        assertThat(ev.emptyData).as("never an empty data: line").isZero();
        assertThat(ev.endsWithDone()).as("[DONE] ends the stream").isTrue();
        assertThat(ev.content()).isEqualTo("one two three four five six");
        List<Map<String, Object>> json = ev.json();
        Map<String, Object> firstDelta = Json.obj(Json.asObject(Json.list(json.get(0), "choices").get(0)), "delta");
        assertThat(firstDelta.get("role")).as("the first chunk carries the role").isEqualTo("assistant");
        Map<String, Object> last = json.get(json.size() - 1);
        assertThat(Json.list(last, "choices")).as("usage chunk has no choices").isEmpty();
        assertThat(Json.obj(last, "usage")).containsKey("total_tokens");
        long finishes = json.stream().map(j -> Json.list(j, "choices")).filter(c -> c != null && !c.isEmpty())
                .map(c -> Json.asObject(c.get(0)).get("finish_reason")).filter(f -> f != null).count();
        assertThat(finishes).as("exactly one finish_reason").isEqualTo(1);
    }

    @Test
    void malformedJsonIsA400WithAnOpenAiErrorBody() {
        HttpResponse<String> r = h.post("/v1/chat/completions", "{\"model\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        Map<String, Object> err = Json.obj(Json.parseObject(r.body().getBytes()), "error");
        assertThat(err).containsKeys("message", "type", "param", "code");
        assertThat(h.emulator.requests()).as("a bad request never reaches Gemini").isEmpty();
    }

    @Test
    void wrongFieldTypeIsA400NamingTheField() {
        HttpResponse<String> r = h.post("/v1/chat/completions",
                "{\"model\":\"gemini-2.5-flash\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.str(Json.obj(Json.parseObject(r.body().getBytes()), "error"), "param")).isEqualTo("temperature");
    }

    @Test
    void sillyTavernDefaultBodyIsAccepted() {
        String body = "{\"messages\":[{\"role\":\"system\",\"content\":\"Main prompt\"},{\"role\":\"system\",\"content\":\"Card\"},"
                + "{\"role\":\"assistant\",\"content\":\"Greetings, traveller.\"},{\"role\":\"user\",\"content\":\"Hi Seraphina\",\"name\":\"User\"}],"
                + "\"model\":\"gemini-2.5-flash\",\"temperature\":1,\"max_tokens\":300,\"stream\":false,"
                + "\"presence_penalty\":0,\"frequency_penalty\":0,\"top_p\":1,\"logit_bias\":{}}";
        HttpResponse<String> r = h.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> sent = Json.parseObject(h.emulator.requests().get(h.emulator.requests().size() - 1).body());
        assertThat(sent).containsKey("systemInstruction");
        assertThat(Json.obj(sent, "generationConfig")).as("zero penalties are not forwarded")
                .doesNotContainKeys("presencePenalty", "frequencyPenalty");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        assertThat(h.get("/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(h.get("/v1/chat/completions").statusCode()).isEqualTo(405);
        Map<String, Object> err = Json.obj(Json.parseObject(h.get("/v1/nothing-here").body().getBytes()), "error");
        assertThat(err).containsKeys("message", "type", "param", "code");
    }

    @Test
    void clientErrorFromGeminiGoesBackAtOnceWithoutTryingOtherKeys() {
        h.emulator.script("test-key-good", Behavior.badRequest("Invalid value at 'generation_config.temperature'"));
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("generation_config.temperature");
        assertThat(h.emulator.generateCalls("test-key-good")).as("a client error is not retried").isEqualTo(1);
    }

    @Test
    void promptBlockIsAContentFilterAnswerNotAnEmptyReply() {
        h.emulator.script("test-key-good", Behavior.promptBlocked());
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "bad", false));
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> choice = Json.asObject(Json.list(Json.parseObject(r.body().getBytes()), "choices").get(0));
        assertThat(choice.get("finish_reason")).isEqualTo("content_filter");
        assertThat(Json.str(Json.obj(choice, "message"), "content")).isNotBlank();
    }

    @Test
    void emptyAnswerIsRetriedThenSucceeds() {
        h.emulator.script("test-key-good", Behavior.sequence(Behavior.empty(), Behavior.ok().withText("finally")));
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", false));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("finally");
        assertThat(h.emulator.generateCalls("test-key-good")).isEqualTo(2);
    }

    @Test
    void midStreamResetAfterDataBecomesAnInStreamErrorThenDone() {
        h.emulator.script("test-key-good", Behavior.ok().withText("a b c d e f g h").withChunks(4, Duration.ofMillis(10)).withResetAfterChunks(2));
        HttpResponse<String> r = h.post("/v1/chat/completions", Harness.chat("gemini-2.5-flash", "x", true));
        assertThat(r.statusCode()).isEqualTo(200);
        SseEvents ev = SseEvents.parse(r.body());
        assertThat(ev.endsWithDone()).isTrue();
        List<Map<String, Object>> json = ev.json();
        assertThat(json.get(json.size() - 1)).as("the last event is the error").containsKey("error");
        assertThat(h.emulator.generateCalls("test-key-good")).as("no retry after data was sent (no duplicated text)").isEqualTo(1);
    }
}
