package gemgate.core.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gemgate.core.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseTest {

    private static List<String> parse(String input, int max) {
        List<String> out = new ArrayList<>();
        SseParser p = new SseParser(max);
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length, out::add);
        p.end(out::add);
        return out;
    }

    /** Every split point and byte-by-byte must give the same events as the whole input. */
    private static List<String> parseSplitEverywhere(String input) {
        List<String> whole = parse(input, 1 << 20);
        byte[] b = input.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= b.length; cut++) {
            List<String> out = new ArrayList<>();
            SseParser p = new SseParser(1 << 20);
            p.feed(b, 0, cut, out::add);
            p.feed(b, cut, b.length - cut, out::add);
            p.end(out::add);
            assertThat(out).as("events must not depend on where the input is split (cut at %d)", cut).isEqualTo(whole);
        }
        List<String> out = new ArrayList<>();
        SseParser p = new SseParser(1 << 20);
        for (int i = 0; i < b.length; i++) {
            p.feed(b, i, 1, out::add);
        }
        p.end(out::add);
        assertThat(out).as("byte-by-byte feeding must give the same events").isEqualTo(whole);
        return whole;
    }

    @Test
    void formatsDataKeepaliveAndDone() {
        assertThat(new String(Sse.data("{\"a\":1}".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .as("an SSE data event is 'data: ' + json + blank line").isEqualTo("data: {\"a\":1}\n\n");
        assertThat(new String(Sse.KEEPALIVE, StandardCharsets.UTF_8)).as("keepalive is a comment").isEqualTo(": keepalive\n\n");
        assertThat(new String(Sse.DONE, StandardCharsets.UTF_8)).isEqualTo("data: [DONE]\n\n");
        assertThatThrownBy(() -> Sse.data(new byte[0])).as("an empty data line breaks OpenAI clients, so it is refused")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsLfCrlfAndCrLineEnds() {
        assertThat(parseSplitEverywhere("data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: d\n\r\n"))
                .as("\\n, \\r\\n and \\r all end lines, in any mix").containsExactly("a", "b", "c", "d");
    }

    @Test
    void joinsMultiLineDataAndStripsOneSpace() {
        assertThat(parseSplitEverywhere("data: line1\ndata:line2\ndata:  two spaces\n\n"))
                .as("data lines join with \\n and lose exactly one leading space").containsExactly("line1\nline2\n two spaces");
    }

    @Test
    void ignoresCommentsOtherFieldsAndEventsWithoutData() {
        assertThat(parseSplitEverywhere(": keepalive\n\nevent: message\nid: 7\nretry: 10\ndata: x\n\n:only a comment\n\n"))
                .as("comments, event/id/retry fields and data-less events dispatch nothing").containsExactly("x");
    }

    @Test
    void flushesLastEventWithoutBlankLineAtEnd() {
        assertThat(parseSplitEverywhere("data: a\r\n\r\ndata: last")).as("end() dispatches an unterminated last event")
                .containsExactly("a", "last");
    }

    @Test
    void keepsMultiByteUtf8SplitAcrossFeeds() {
        assertThat(parseSplitEverywhere("data: 秋风瑟瑟，叶落纷纷 🍂\r\n\r\n"))
                .as("a UTF-8 character split between feeds must survive").containsExactly("秋风瑟瑟，叶落纷纷 🍂");
    }

    @Test
    void collectsStrayNonSseText() {
        SseParser p = new SseParser(4096);
        List<String> out = new ArrayList<>();
        byte[] b = "data: a\n\n{\n  \"error\": {\"code\": 499}\n}\n".getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length, out::add);
        p.end(out::add);
        assertThat(out).containsExactly("a");
        assertThat(p.strayText()).as("a bare JSON body after the events is kept for error detection")
                .isEqualTo("{\n  \"error\": {\"code\": 499}\n}\n");
    }

    @Test
    void rejectsOversizeEventEvenWhenSplit() {
        String big = "data: " + "x".repeat(100) + "\n\n";
        assertThatThrownBy(() -> parse(big, 64)).as("an event over the cap is an upstream failure, not unbounded memory")
                .isInstanceOf(ApiException.class).satisfies(e -> assertThat(((ApiException) e).error().status()).isEqualTo(502));
        SseParser p = new SseParser(64);
        byte[] b = big.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> {
            for (int i = 0; i < b.length; i++) {
                p.feed(b, i, 1, s -> { });
            }
        }).as("the cap holds while a line is still incomplete").isInstanceOf(ApiException.class);
        assertThat(parse("data: " + "y".repeat(50) + "\n\n" + "data: " + "z".repeat(50) + "\n\n", 64))
                .as("the cap is per event, not per stream").hasSize(2);
    }
}
