package gemgate.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import gemgate.core.translate.Golden;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonArraySplitterTest {
    private static final String SAMPLE = "streamGenerateContent-no-alt-json-array-gemini-2.0-flash-real.json";

    @Test
    void realStreamedArraySplitsIntoItsElementsWhereverTheBytesAreCut() {
        byte[] body = Golden.bytes(SAMPLE);
        List<String> whole = split(body, body.length);
        assertThat(whole).as("the recorded answer has two elements").hasSize(2);
        for (String el : whole) {
            assertThat(Json.parseObject(el.getBytes(StandardCharsets.UTF_8))).containsKey("candidates");
        }
        assertThat(whole.get(0)).as("element bytes are kept exactly, pretty-printing included")
                .startsWith("{\n  \"candidates\"").endsWith("}");
        for (int cut = 1; cut < body.length; cut++) {
            List<String> parts = new ArrayList<>();
            JsonArraySplitter s = new JsonArraySplitter(1 << 20);
            s.feed(body, 0, cut, e -> parts.add(new String(e, StandardCharsets.UTF_8)));
            s.feed(body, cut, body.length - cut, e -> parts.add(new String(e, StandardCharsets.UTF_8)));
            assertThat(parts).as("the split at %d must not change the elements", cut).isEqualTo(whole);
            assertThat(s.complete()).isTrue();
        }
    }

    @Test
    void byteByByteWithBracesAndEscapesInsideStrings() {
        String body = "  [{\"text\":\"a } ] { \\\" [\"},\n{\"n\":[1,{\"x\":\"\\\\\"}]}\n]";
        List<String> out = split(body.getBytes(StandardCharsets.UTF_8), 1);
        assertThat(out).containsExactly("{\"text\":\"a } ] { \\\" [\"}", "{\"n\":[1,{\"x\":\"\\\\\"}]}");
    }

    @Test
    void emptyArrayIsCompleteWithNoElements() {
        JsonArraySplitter s = new JsonArraySplitter(64);
        List<byte[]> out = new ArrayList<>();
        s.feed("[]".getBytes(StandardCharsets.US_ASCII), 0, 2, out::add);
        assertThat(out).isEmpty();
        assertThat(s.complete()).isTrue();
    }

    @Test
    void aBareErrorObjectIsStrayTextNotAnElement() {
        byte[] body = "{\"error\":{\"code\":400}}".getBytes(StandardCharsets.US_ASCII);
        JsonArraySplitter s = new JsonArraySplitter(1024);
        List<byte[]> out = new ArrayList<>();
        s.feed(body, 0, 5, out::add);
        s.feed(body, 5, body.length - 5, out::add);
        assertThat(out).isEmpty();
        assertThat(s.strayText()).isEqualTo("{\"error\":{\"code\":400}}");
        assertThat(s.complete()).isFalse();
    }

    @Test
    void structuralGarbageIsReportedAndACutStreamIsNotComplete() {
        JsonArraySplitter bad = new JsonArraySplitter(1024);
        bad.feed("[{} x".getBytes(StandardCharsets.US_ASCII), 0, 5, e -> { });
        assertThat(bad.malformed()).contains("expected ',' or ']'");

        JsonArraySplitter cut = new JsonArraySplitter(1024);
        cut.feed("[{\"a\":".getBytes(StandardCharsets.US_ASCII), 0, 6, e -> { });
        assertThat(cut.complete()).isFalse();
        assertThat(cut.insideElement()).as("a stream cut inside an element is visible to the caller").isTrue();
    }

    @Test
    void oneElementLargerThanTheCapFails() {
        JsonArraySplitter s = new JsonArraySplitter(16);
        byte[] body = "[{\"text\":\"0123456789abcdef\"}]".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> s.feed(body, 0, body.length, e -> { }))
                .isInstanceOf(ApiException.class).hasMessageContaining("larger than 16 bytes");
    }

    private static List<String> split(byte[] body, int step) {
        List<String> out = new ArrayList<>();
        JsonArraySplitter s = new JsonArraySplitter(1 << 20);
        for (int i = 0; i < body.length; i += step) {
            s.feed(body, i, Math.min(step, body.length - i), e -> out.add(new String(e, StandardCharsets.UTF_8)));
        }
        return out;
    }
}
