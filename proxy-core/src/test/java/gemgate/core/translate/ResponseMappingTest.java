package gemgate.core.translate;

import static gemgate.core.translate.GeminiToChatTest.bytes;
import static gemgate.core.translate.StreamTranslatorTest.splitInvariant;
import static gemgate.core.translate.StreamTranslatorTest.upstream;
import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.gemini.GeminiResponse;
import gemgate.core.json.Json;
import gemgate.core.translate.StreamTranslatorTest.Result;
import gemgate.core.translate.TranslateOptions.ThoughtDisplay;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The Gemini → OpenAI mappings of issue 4, whole answers and streams: tools, thoughts, sources, logprobs, n, stops. */
class ResponseMappingTest {

    // ---- helpers ----

    private static Map<String, Object> completion(GeminiResponse r, ThoughtDisplay display) {
        return Json.asObject(Json.parse(GeminiToChatTest.translate(r, display)));
    }

    private static Map<String, Object> completion(String fixture) {
        return completion(GeminiResponse.parse(Golden.bytes(fixture)), ThoughtDisplay.REASONING_CONTENT);
    }

    private static Map<String, Object> completionOf(String json) {
        return completion(GeminiResponse.parse(bytes(json)), ThoughtDisplay.REASONING_CONTENT);
    }

    private static Map<String, Object> choice(Map<String, Object> completion, int i) {
        return Json.asObject(Json.list(completion, "choices").get(i));
    }

    private static Map<String, Object> message(Map<String, Object> completion, int i) {
        return Json.obj(choice(completion, i), "message");
    }

    /** Gemini SSE framing of the given chunk payloads. */
    private static byte[] frame(String... chunks) {
        StringBuilder sb = new StringBuilder();
        for (String c : chunks) {
            sb.append("data: ").append(c).append("\r\n\r\n");
        }
        return bytes(sb.toString());
    }

    /** What one choice of a stream amounted to. */
    static final class Streamed {
        final StringBuilder content = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        final List<Map<String, Object>> toolCalls = new ArrayList<>();
        final List<Object> logprobs = new ArrayList<>();
        final List<String> contentDeltas = new ArrayList<>();
        int roles;
        String finish;
        int finishes;
    }

    private static Map<Integer, Streamed> byChoice(Result r) {
        Map<Integer, Streamed> out = new TreeMap<>();
        for (byte[] e : r.events()) {
            String s = new String(e, StandardCharsets.UTF_8);
            if (s.equals("data: [DONE]\n\n")) {
                continue;
            }
            Map<String, Object> chunk = Json.asObject(Json.parse(s.substring(6).trim()));
            for (Object o : Json.list(chunk, "choices")) {
                Map<String, Object> ch = Json.asObject(o);
                Streamed st = out.computeIfAbsent((int) Json.num(ch, "index", -1), i -> new Streamed());
                Map<String, Object> d = Json.obj(ch, "delta");
                if (d.containsKey("role")) {
                    st.roles++;
                }
                if (Json.str(d, "content") != null) {
                    st.content.append(Json.str(d, "content"));
                    st.contentDeltas.add(Json.str(d, "content"));
                }
                if (Json.str(d, "reasoning_content") != null) {
                    st.reasoning.append(Json.str(d, "reasoning_content"));
                }
                if (Json.list(d, "tool_calls") != null) {
                    Json.list(d, "tool_calls").forEach(c -> st.toolCalls.add(Json.asObject(c)));
                }
                if (Json.obj(ch, "logprobs") != null) {
                    st.logprobs.addAll(Json.list(Json.obj(ch, "logprobs"), "content"));
                }
                if (Json.str(ch, "finish_reason") != null) {
                    st.finish = Json.str(ch, "finish_reason");
                    st.finishes++;
                }
            }
        }
        return out;
    }

    private static Map<String, Object> fn(Map<String, Object> call) {
        return Json.obj(call, "function");
    }

    // ---- tool calls ----

    @Test
    void parallelCallsKeepOrderWithUniqueIdsAndNullContent() {
        Map<String, Object> c = completion("misc/generateContent-parallel-function-calls-gemini-2.0-flash.json");
        assertThat(choice(c, 0)).as("Gemini says STOP; any call makes it tool_calls").containsEntry("finish_reason", "tool_calls");
        Map<String, Object> msg = message(c, 0);
        assertThat(msg).containsEntry("content", null);
        List<Object> calls = Json.list(msg, "tool_calls");
        assertThat(calls).hasSize(2);
        assertThat(fn(Json.asObject(calls.get(0)))).isEqualTo(Json.object("name", "get_weather", "arguments", "{\"city\":\"Tokyo\"}"));
        assertThat(fn(Json.asObject(calls.get(1)))).isEqualTo(Json.object("name", "search_web",
                "arguments", "{\"search_engine\":\"google\",\"search_term\":\"current population of Tokyo\"}"));
        assertThat(Json.str(Json.asObject(calls.get(0)), "id")).isNotEqualTo(Json.str(Json.asObject(calls.get(1)), "id"));
    }

    @Test
    void textAroundCallsStaysContentAndCallsStayInOrder() {
        Map<String, Object> msg = message(completion("vertexai/unary-success-function-call-mixed-content.json"), 0);
        assertThat(msg).containsEntry("content", "The sum of [1, 2,3] is");
        assertThat(Json.list(msg, "tool_calls")).extracting(o -> fn(Json.asObject(o)).get("arguments"))
                .containsExactly("{\"y\":1,\"x\":2}", "{\"y\":3,\"x\":3}");
    }

    @Test
    void realIdsCarryTheSignatureAndAreUnique() {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes("vercel/google-tool-call.json"));
        String sig = "EskgCsYgAb4+9vtF7/499YQS2bjZs3xcQI+iAl+ILn29nK1j0Kg6su7QsUUUk3nrAAfnS2w5WiVvlcCqu9fAebJ2cvfaEyBahEt5";
        String id1 = Json.str(Json.asObject(Json.list(message(Json.asObject(Json.parse(GeminiToChat.completion(r, "chatcmpl-a", 1,
                "m", TranslateOptions.defaults()))), 0), "tool_calls").get(0)), "id");
        String id2 = Json.str(Json.asObject(Json.list(message(Json.asObject(Json.parse(GeminiToChat.completion(r, "chatcmpl-a", 1,
                "m", TranslateOptions.defaults()))), 0), "tool_calls").get(0)), "id");
        assertThat(ToolCallIds.signatureOf(id1)).as("Gemini 3's signature rides in the id, for the request side").isEqualTo(sig);
        assertThat(id1).as("ids are unique even for the same answer").isNotEqualTo(id2);
        assertThat(ToolCallIds.signatureOf(new TestIds().apply(sig))).as("test ids use the real format").isEqualTo(sig);
    }

    @Test
    void gemini3ParallelCallsOnlyTheFirstCarriesTheSignature() {
        // The shape of issue-16298: Gemini 3 signs only the first of parallel calls.
        Map<String, Object> msg = message(completionOf("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":["
                + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"SIG1\"},"
                + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Tokyo\"}}}]},\"finishReason\":\"STOP\"}]}"), 0);
        List<Object> calls = Json.list(msg, "tool_calls");
        assertThat(ToolCallIds.signatureOf(Json.str(Json.asObject(calls.get(0)), "id"))).isEqualTo("SIG1");
        assertThat(ToolCallIds.signatureOf(Json.str(Json.asObject(calls.get(1)), "id")))
                .as("the second call gets no copy of the first call's signature").isNull();
    }

    @Test
    void signatureOnAnEarlierPartGoesToTheNextCall() {
        Map<String, Object> msg = message(completionOf("{\"candidates\":[{\"content\":{\"parts\":["
                + "{\"text\":\"Let me check.\",\"thoughtSignature\":\"SIG0\"},"
                + "{\"functionCall\":{\"name\":\"now\"}},{\"functionCall\":{\"name\":\"later\"}}]},\"finishReason\":\"STOP\"}]}"), 0);
        assertThat(msg).containsEntry("content", "Let me check.");
        Map<String, Object> call = Json.asObject(Json.list(msg, "tool_calls").get(0));
        assertThat(ToolCallIds.signatureOf(Json.str(call, "id"))).isEqualTo("SIG0");
        assertThat(fn(call)).as("a call without args has arguments {}").containsEntry("arguments", "{}");
        assertThat(ToolCallIds.signatureOf(Json.str(Json.asObject(Json.list(msg, "tool_calls").get(1)), "id")))
                .as("the turn's signature goes to its first call only").isNull();
    }

    @Test
    void toolCallOnlyAnswersAreNotEmpty() {
        assertThat(GeminiResponse.parse(Golden.bytes("vercel/google-tool-call.json")).isEmpty()).isFalse();
        Result r = StreamTranslatorTest.run(upstream("vercel/google-tool-call.chunks.txt"));
        assertThat(r.t().emptyAnswer()).as("a stream of only a tool call is an answer, not an empty one to retry").isFalse();
        Result pieces = StreamTranslatorTest.run(upstream("vercel/google-stream-tool-call-arguments.chunks.txt"));
        assertThat(pieces.t().emptyAnswer()).isFalse();
    }

    @Test
    void streamedArgumentPiecesBecomeWholeCalls() {
        Result r = splitInvariant(ThoughtDisplay.REASONING_CONTENT, upstream("vercel/google-stream-tool-call-arguments.chunks.txt"));
        Streamed s = byChoice(r).get(0);
        assertThat(s.toolCalls).extracting(c -> c.get("index")).containsExactly(0L, 1L);
        assertThat(s.toolCalls).allSatisfy(c -> assertThat(c).containsKeys("id", "type", "function"));
        assertThat(s.toolCalls).extracting(c -> fn(c).get("arguments"))
                .containsExactly("{\"location\":\"Boston\"}", "{\"location\":\"San Francisco\"}");
        assertThat(ToolCallIds.signatureOf(Json.str(s.toolCalls.get(0), "id"))).startsWith("CiMBjz1rX25K");
        assertThat(ToolCallIds.signatureOf(Json.str(s.toolCalls.get(1), "id"))).isNull();
        assertThat(s.finish).isEqualTo("tool_calls");
        assertThat(s.content.toString()).as("no content for a calls-only answer").isEmpty();
    }

    @Test
    void noArgCallThenStreamedCallsGetIncreasingIndexes() {
        Streamed s = byChoice(StreamTranslatorTest.run(upstream("vercel/google-stream-no-args-tool-call.chunks.txt"))).get(0);
        assertThat(s.toolCalls).extracting(c -> c.get("index")).containsExactly(0L, 1L, 2L, 3L);
        assertThat(s.toolCalls).extracting(c -> fn(c).get("name")).containsExactly("read_theme", "read_screen", "read_screen", "read_screen");
        assertThat(s.toolCalls).extracting(c -> fn(c).get("arguments"))
                .containsExactly("{}", "{\"id\":\"A\"}", "{\"id\":\"B\"}", "{\"id\":\"C\"}");
        assertThat(s.reasoning.toString()).startsWith("**Processing User Requests**");
        assertThat(s.finish).isEqualTo("tool_calls");
        assertThat(s.roles).isEqualTo(1);
    }

    @Test
    void streamedPiecesBuildNestedArgumentsAndTypes() {
        StreamedCall c = new StreamedCall("f", Json.object(), null);
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$.a.b[1]", "x", true));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$.a.b[1]", "y", false));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$['n m']", 3.0, false));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$.f", 0.5, false));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$.t", true, false));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("$.z", null, false));
        c.apply(new gemgate.core.gemini.GeminiPart.PartialArg("not a path", "q", false));
        assertThat(Json.writeString(c.args)).isEqualTo("{\"a\":{\"b\":[null,\"xy\"]},\"n m\":3,\"f\":0.5,\"t\":true,\"z\":null}");
    }

    @Test
    void signatureFromAnEarlierChunkReachesTheCallInALaterChunk() {
        Streamed s = byChoice(splitInvariant(ThoughtDisplay.REASONING_CONTENT, frame(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"plan\",\"thought\":true,\"thoughtSignature\":\"SIGT\"}]}}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"go\",\"args\":{\"x\":1}}}]},\"finishReason\":\"STOP\"}]}")))
                .get(0);
        assertThat(ToolCallIds.signatureOf(Json.str(s.toolCalls.get(0), "id"))).isEqualTo("SIGT");
        assertThat(s.reasoning.toString()).isEqualTo("plan");
    }

    // ---- thoughts ----

    @Test
    void thinkTagsWrapThoughtsBeforeTheAnswer() {
        GeminiResponse r = GeminiResponse.parse(Golden.bytes("googleai/unary-success-thinking-reply-thought-summary.json"));
        Map<String, Object> msg = message(completion(r, ThoughtDisplay.THINK_TAGS), 0);
        assertThat(msg).doesNotContainKey("reasoning_content");
        assertThat(Json.str(msg, "content")).startsWith("<think>\n**Thinking About Google's Headquarters**")
                .endsWith("\n</think>\n\nMountain View");
        Map<String, Object> hidden = message(completion(r, ThoughtDisplay.HIDDEN), 0);
        assertThat(hidden).doesNotContainKey("reasoning_content").containsEntry("content", "Mountain View");
        Map<String, Object> c = completion(r, ThoughtDisplay.HIDDEN);
        assertThat(Json.obj(Json.obj(c, "usage"), "completion_tokens_details")).as("reasoning tokens are counted in every mode")
                .containsEntry("reasoning_tokens", 24L);
    }

    @Test
    void thinkTagOpensOnceAndClosesAtTheFirstAnswerAcrossChunks() {
        Streamed s = byChoice(splitInvariant(ThoughtDisplay.THINK_TAGS, upstream("vercel/gemma-4-output-usage.chunks.txt"))).get(0);
        assertThat(s.contentDeltas.get(0)).startsWith("<think>\n");
        assertThat(s.content.toString()).startsWith("<think>\n*   User input:").endsWith("\n</think>\n\nhello");
        assertThat(s.content.toString().split("<think>", -1)).as("one open tag").hasSize(2);
        assertThat(s.contentDeltas.get(s.contentDeltas.size() - 1)).as("the tag closes with the first answer delta")
                .isEqualTo("\n</think>\n\nhello");
        assertThat(s.reasoning.toString()).isEmpty();
    }

    @Test
    void thinkTagClosesAtTheEndWhenNoAnswerCame() {
        Streamed s = byChoice(splitInvariant(ThoughtDisplay.THINK_TAGS, frame(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hmm\",\"thought\":true}]}}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" more\",\"thought\":true}]},\"finishReason\":\"MAX_TOKENS\"}]}")))
                .get(0);
        assertThat(s.content.toString()).startsWith("<think>\nhmm more\n</think>\n\nGemini reached the output token limit");
        assertThat(s.finish).isEqualTo("length");
    }

    @Test
    void thoughtsOnlyWithMaxTokensExplainsInEveryMode() {
        String json = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hmm\",\"thought\":true}]},\"finishReason\":\"MAX_TOKENS\"}]}";
        Map<String, Object> msg = message(completionOf(json), 0);
        assertThat(msg).containsEntry("reasoning_content", "hmm");
        assertThat(Json.str(msg, "content")).as("no answer text: say why, even when there are thoughts").contains("MAX_TOKENS");
        Streamed hidden = byChoice(StreamTranslatorTest.run(ThoughtDisplay.HIDDEN, frame(json))).get(0);
        assertThat(hidden.content.toString()).contains("MAX_TOKENS").doesNotContain("hmm");
    }

    // ---- grounding ----

    @Test
    void groundingSourcesAreListedAfterTheAnswer() {
        String content = Json.str(message(completion("misc/generateContent-google-search-grounding-metadata.json"), 0), "content");
        assertThat(content).startsWith("Right now, in Tokyo").endsWith("37 million.\n\n\nSources:\n"
                + "1. [Weather information for administrative_area: Tokyo](https://www.google.com/search?q=weather+in+Tokyo)\n"
                + "2. [worldpopulationreview.com](https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXEi9CpOTLx2q6rMle6VZrTiOUSzlQAPkAZQgV1e2R6ray0rAtatEl-0UdvyEIoo0Vlqp_1AQsew5ZmPHcSLoWxcAeynRE2BgNrx620MheD-R0UFbmCO_vbTeD7vsYmOY0tjoCbBl9W4AtBk3ugmClo=)\n"
                + "3. [jagranjosh.com](https://vertexaisearch.cloud.google.com/grounding-api-redirect/AbF9wXE0NwPto0an0jEEwwLZjOAxxqsqaY2uAN3tsHUS4i2YAr53kRl5gf61i8XxK-IPB6_-l92l3NIm_1xa1yI8EF4SHKxOhR8uE2a5Kxr_xthaiP334mM-pdzruDIB71tlglk8DGPsugFrslrl-qazkN6GDUHxFWt9OU-54ELfouty5IsJxOIsrR2t_aKZq2db83oZrv2D5ztPptsn01UGtA==)\n"
                + "\nSearched for: current weather in Tokyo; current population of Tokyo");
    }

    @Test
    void repeatedGroundingInAStreamIsListedOnceAtTheEnd() {
        String gm1 = "\"groundingMetadata\":{\"groundingChunks\":[{\"web\":{\"uri\":\"https://a.example/\",\"title\":\"A [site]\"}}],"
                + "\"webSearchQueries\":[\"q1\"]}";
        String gm2 = "\"groundingMetadata\":{\"groundingChunks\":[{\"web\":{\"uri\":\"https://a.example/\",\"title\":\"A [site]\"}},"
                + "{\"web\":{\"uri\":\"https://b.example/x y\"}}],\"webSearchQueries\":[\"q1\",\"q2\"]}";
        Result r = splitInvariant(ThoughtDisplay.REASONING_CONTENT, frame(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"One.\"}]}," + gm1 + "}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" Two.\"}]}," + gm1 + "}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\"," + gm2 + "}]}"));
        StreamTranslatorTest.assertWellFormed(r);
        Streamed s = byChoice(r).get(0);
        assertThat(s.contentDeltas).as("answer deltas, then one sources delta before the finish chunk").containsExactly("One.",
                " Two.", "\n\nSources:\n1. [A \\[site\\]](https://a.example/)\n2. [https://b.example/x y](https://b.example/x%20y)\n"
                        + "\nSearched for: q1; q2");
        assertThat(s.finish).isEqualTo("stop");
    }

    @Test
    void urlContextStreamListsItsSourceOnce() {
        Streamed s = byChoice(StreamTranslatorTest.run(upstream("googleai/streaming-success-url-context.txt"))).get(0);
        assertThat(s.content.toString()).endsWith("\"About\" section.\n\nSources:\n1. [Google](https://google.com)");
    }

    // ---- logprobs ----

    private static final String LOGPROBS = "\"logprobsResult\":{\"chosenCandidates\":[{\"token\":\"Hi\",\"logProbability\":-0.25},"
            + "{\"token\":\"é\",\"tokenId\":7}],\"topCandidates\":[{\"candidates\":[{\"token\":\"Hi\",\"logProbability\":-0.25},"
            + "{\"token\":\"Hello\",\"logProbability\":-1.5}]},{\"candidates\":[{\"token\":\"é\"}]}]}";

    @Test
    void logprobsBecomeOpenAiTokenLogprobs() {
        Map<String, Object> ch = choice(completionOf("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hié\"}]},"
                + "\"finishReason\":\"STOP\"," + LOGPROBS + "}]}"), 0);
        Map<String, Object> lp = Json.obj(ch, "logprobs");
        assertThat(lp).containsEntry("refusal", null);
        List<Object> content = Json.list(lp, "content");
        assertThat(content).hasSize(2);
        assertThat(Json.asObject(content.get(0))).containsEntry("token", "Hi").containsEntry("logprob", -0.25)
                .containsEntry("bytes", List.of(72L, 105L));
        assertThat(Json.list(Json.asObject(content.get(0)), "top_logprobs")).containsExactly(
                Json.object("token", "Hi", "logprob", -0.25, "bytes", List.of(72L, 105L)),
                Json.object("token", "Hello", "logprob", -1.5, "bytes", List.of(72L, 101L, 108L, 108L, 111L)));
        assertThat(Json.asObject(content.get(1))).as("a logProbability of 0 is omitted by Gemini: it is 0.0")
                .containsEntry("logprob", 0.0).containsEntry("bytes", List.of(0xc3L, 0xa9L));
        assertThat(choice(completion("googleai/unary-success-basic-reply-short.json"), 0))
                .as("no logprobsResult: logprobs null").containsEntry("logprobs", null);
    }

    @Test
    void streamedLogprobsRideOnTheirChunks() {
        Result r = splitInvariant(ThoughtDisplay.REASONING_CONTENT, frame(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hié\"}]}," + LOGPROBS + "}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\","
                        + "\"logprobsResult\":{\"chosenCandidates\":[{\"token\":\"!\",\"logProbability\":-2}]}}]}"));
        StreamTranslatorTest.assertWellFormed(r);
        Streamed s = byChoice(r).get(0);
        assertThat(s.logprobs).extracting(o -> Json.str(Json.asObject(o), "token")).as("a chunk without a delta hands its "
                + "logprobs to the next event of the choice").containsExactly("Hi", "é", "!");
    }

    // ---- n > 1 ----

    @Test
    void twoCandidatesAreTwoChoicesWithTheirOwnCallsAndFinishes() {
        Map<String, Object> c = completionOf("{\"candidates\":["
                + "{\"index\":1,\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{}}}]},\"finishReason\":\"STOP\"},"
                + "{\"index\":0,\"content\":{\"parts\":[{\"text\":\"plain\"}]},\"finishReason\":\"MAX_TOKENS\"}]}");
        assertThat(choice(c, 0)).containsEntry("index", 0L).containsEntry("finish_reason", "length");
        assertThat(message(c, 0)).containsEntry("content", "plain").doesNotContainKey("tool_calls");
        assertThat(choice(c, 1)).containsEntry("index", 1L).containsEntry("finish_reason", "tool_calls");
        assertThat(Json.list(message(c, 1), "tool_calls")).hasSize(1);
    }

    @Test
    void twoCandidatesStreamAsTwoChoices() {
        Result r = splitInvariant(ThoughtDisplay.REASONING_CONTENT, frame(
                "{\"candidates\":[{\"index\":0,\"content\":{\"parts\":[{\"text\":\"A1\"}]}},"
                        + "{\"index\":1,\"content\":{\"parts\":[{\"text\":\"B1\"}]}}]}",
                "{\"candidates\":[{\"index\":1,\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"f\",\"args\":{\"k\":\"v\"}}}]},"
                        + "\"finishReason\":\"STOP\"}]}",
                "{\"candidates\":[{\"index\":0,\"content\":{\"parts\":[{\"text\":\" A2\"}]},\"finishReason\":\"STOP\"}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":6}}"));
        Map<Integer, Streamed> s = byChoice(r);
        assertThat(s).containsOnlyKeys(0, 1);
        assertThat(s.get(0).content.toString()).isEqualTo("A1 A2");
        assertThat(s.get(0).finish).isEqualTo("stop");
        assertThat(s.get(1).content.toString()).isEqualTo("B1");
        assertThat(s.get(1).toolCalls).hasSize(1);
        assertThat(s.get(1).toolCalls.get(0)).as("tool call indexes count per choice").containsEntry("index", 0L);
        assertThat(s.get(1).finish).isEqualTo("tool_calls");
        for (Streamed st : s.values()) {
            assertThat(st.roles).as("role once per choice").isEqualTo(1);
            assertThat(st.finishes).as("one finish chunk per choice").isEqualTo(1);
        }
        String text = r.text();
        assertThat(text.indexOf("\"finish_reason\":\"stop\"")).as("finish chunks come after all content")
                .isGreaterThan(text.lastIndexOf("\"content\":"));
    }

    // ---- stops ----

    @Test
    void stopsTheClientWouldNotUnderstandAreExplained() {
        Map<String, Object> malformed = choice(completionOf("{\"candidates\":[{\"content\":{},\"finishReason\":"
                + "\"MALFORMED_FUNCTION_CALL\",\"finishMessage\":\"Malformed function call: print(x(\"}]}"), 0);
        assertThat(malformed).containsEntry("finish_reason", "stop");
        assertThat(Json.str(Json.obj(malformed, "message"), "content")).contains("MALFORMED_FUNCTION_CALL")
                .contains("Malformed function call: print(x(");
        assertThat(GeminiResponse.parse(bytes("{\"candidates\":[{\"finishReason\":\"MALFORMED_FUNCTION_CALL\"}]}")).isEmpty())
                .as("a malformed call is reported, not retried silently as empty").isFalse();
        Map<String, Object> image = choice(completionOf("{\"candidates\":[{\"finishReason\":\"IMAGE_SAFETY\"}]}"), 0);
        assertThat(image).containsEntry("finish_reason", "content_filter");
        assertThat(Json.str(Json.obj(image, "message"), "content")).isEqualTo("Gemini withheld this answer (reason: IMAGE_SAFETY).");
        Map<String, Object> blocked = choice(completion("vertexai/unary-failure-prompt-blocked-safety-with-message.json"), 0);
        assertThat(blocked).containsEntry("finish_reason", "content_filter");
        assertThat(Json.obj(blocked, "message")).containsEntry("content", "Gemini blocked this prompt (reason: SAFETY: Reasons).");
    }

    @Test
    void aFilterAfterSomeTextIsNotedAtTheEnd() {
        Streamed s = byChoice(splitInvariant(ThoughtDisplay.REASONING_CONTENT, frame(
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Once upon\"}]}}]}",
                "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" a time\"}]},\"finishReason\":\"SAFETY\"}]}"))).get(0);
        assertThat(s.content.toString()).isEqualTo("Once upon a time\n\n[Gemini stopped this answer early (reason: SAFETY).]");
        assertThat(s.finish).isEqualTo("content_filter");
    }

    @Test
    void codeExecutionIsFencedAndFailuresSaySo() {
        String content = Json.str(message(completion("vercel/google-code-execution-multiple-results.json"), 0), "content");
        assertThat(content).startsWith("\n```python\nprint('ok')\nprint(1/0)\n```\n\n```\nok\n```\n\n(failed)\n```\ndivision by zero")
                .endsWith("ZeroDivisionError: division by zero\n```");
    }
}
