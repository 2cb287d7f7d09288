package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import gemgate.server.emulator.Behavior;
import gemgate.server.emulator.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK pointed at the proxy (base URL .../v1, the proxy password as API key). */
class OpenAiSdkE2ETest {
    private static Harness h;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        h = Harness.start();
        client = sdk(h);
    }

    @AfterAll
    static void stop() {
        client.close();
        h.close();
    }

    static OpenAIClient sdk(Harness h) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(h.url("/v1"))
                .apiKey(Harness.PASSWORD)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void chatCompletion() {
        h.emulator.script("test-key-good", Behavior.ok().withText("Hello from the SDK test"));
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash").addSystemMessage("Be brief.").addUserMessage("Say hello").build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).contains("Hello from the SDK test");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(c.model()).isEqualTo("gemini-2.5-flash");
        assertThat(c.usage()).as("usage is reported").isPresent();
        assertThat(c.usage().get().totalTokens()).isPositive();
    }

    @Test
    void streamingChatAccumulatesDeltas() {
        h.emulator.script("test-key-good", Behavior.ok().withText("one two three four five six").withChunks(4, Duration.ZERO));
        StringBuilder text = new StringBuilder();
        List<String> finish = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model("gemini-2.5-flash").addUserMessage("count").build())) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> {
                ch.delta().content().ifPresent(text::append);
                ch.finishReason().ifPresent(f -> finish.add(f.asString()));
            }));
        }
        assertThat(text.toString()).isEqualTo("one two three four five six");
        assertThat(finish).containsExactly("stop");
    }

    @Test
    void embeddingsSingleAndSplit() {
        h.emulator.script("test-key-good", Behavior.ok());
        CreateEmbeddingResponse one = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello world").build());
        assertThat(one.data()).hasSize(1);
        assertThat(one.data().get(0).embedding()).hasSize(8);

        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 230; i++) {
            texts.add("sentence " + i);
        }
        CreateEmbeddingResponse many = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("gemini-embedding-001").inputOfArrayOfStrings(texts).dimensions(16).build());
        assertThat(many.data()).hasSize(230);
        for (int i = 0; i < many.data().size(); i++) {
            assertThat(many.data().get(i).index()).isEqualTo(i);
            assertThat(many.data().get(i).embedding()).hasSize(16);
        }
        CreateEmbeddingResponse probe = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("gemini-embedding-001").input("sentence 150").dimensions(16).build());
        assertThat(many.data().get(150).embedding()).as("split results come back in input order")
                .isEqualTo(probe.data().get(0).embedding());
        long batches = h.emulator.requests().stream().map(RecordedRequest::path)
                .filter(p -> p.endsWith(":batchEmbedContents")).count();
        assertThat(batches).as("1 + 3 (230 texts) + 1 upstream calls").isEqualTo(5);
    }

    @Test
    void modelsList() {
        List<String> ids = new ArrayList<>();
        for (Model m : client.models().list().autoPager()) {
            ids.add(m.id());
        }
        assertThat(ids).contains("gemini-2.5-flash");
    }

    @Test
    void errorsSurfaceAsSdkExceptionsWithTheStatus() {
        assertThatThrownBy(() -> client.embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").inputOfArrayOfTokens(List.of(1L, 2L, 3L)).build()))
                .isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(400))
                .hasMessageContaining("token ids");
        OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(h.url("/v1")).apiKey("wrong-password").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> wrong.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("gemini-2.5-flash").addUserMessage("x").build()))
                    .isInstanceOf(OpenAIServiceException.class)
                    .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(401));
        } finally {
            wrong.close();
        }
    }
}
