package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.json.Json;
import gemgate.core.openai.ChatRequest;
import gemgate.core.sse.Sse;
import gemgate.core.translate.GeminiToChat;
import gemgate.core.translate.StreamTranslator;
import gemgate.server.http.RequestRecord;
import gemgate.server.http.Responses;
import gemgate.server.sse.SseResponse;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the client of one chat request receives, in the shape it asked for: one JSON completion, or an event stream
 * that ends with {@code [DONE]} (a fake stream gets Gemini's whole answer as proper chunks; a real stream's chunks
 * are queued by its {@link ChatAttempt} as they are translated). An error goes back as an OpenAI-shaped HTTP error
 * while the stream head is not out, and as an error event followed by {@code [DONE]} once it is. Notes the tokens and
 * an in-stream error's status on the access-log record. {@link ChatExchange} decides when; this class only writes.
 * Event-loop only.
 */
final class ChatReply {
    private final Gateway gw;
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final ChatRequest chat;
    private final RequestRecord record;
    /** The completion id every chunk and the JSON answer carry. */
    private final String id;
    private final long created;
    /** The client's event stream; null for a plain (JSON) answer. */
    final SseResponse sse;

    ChatReply(Gateway gw, ChannelHandlerContext ctx, HttpRequest request, ChatRequest chat, boolean stream,
            RequestRecord record) {
        if (gw == null || ctx == null || request == null || chat == null || record == null) {
            throw new IllegalArgumentException("a chat reply needs the gateway, client context, request, chat request"
                    + " and access record");
        }
        this.gw = gw;
        this.ctx = ctx;
        this.request = request;
        this.chat = chat;
        this.record = record;
        this.id = "chatcmpl-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)
                + Long.toHexString(System.nanoTime() & 0xffffff);
        this.created = gw.clock().millis() / 1000;
        this.sse = !stream ? null
                : new SseResponse(ctx, HttpUtil.isKeepAlive(request), gw.keepaliveInterval(), Sse.KEEPALIVE);
    }

    /** A real stream's translator: its chunks carry this reply's id and creation time. */
    StreamTranslator newStreamTranslator() {
        return new StreamTranslator(id, created, chat.model(), chat.includeUsage(), gw.maxSseEvent(),
                gw.translateOptions());
    }

    /** True once a data event reached the client: from then on nothing is retried (no duplicated text). */
    boolean dataSent() {
        return sse != null && sse.dataSent();
    }

    /** Sends Gemini's whole answer: the JSON completion, or its chunks followed by the end of the (fake) stream. */
    void answer(GeminiResponse resp) {
        if (sse == null) {
            byte[] json = GeminiToChat.completion(resp, id, created, chat.model(), gw.translateOptions());
            record.tokens = resp.totalTokens();
            Responses.send(ctx, request, Responses.json(HttpResponseStatus.OK, json), false);
            return;
        }
        List<byte[]> events = GeminiToChat.streamEvents(resp, id, created, chat.model(), chat.includeUsage(),
                gw.translateOptions());
        record.tokens = resp.totalTokens();
        for (byte[] e : events) {
            sse.queueEvent(e); // end() flushes them together
        }
        endStream(null);
    }

    /** Queues the error event and {@code [DONE]} of a stream that broke after data; {@link #endStream} sends them. */
    void queueStreamError(ApiError err) {
        record.streamErrorStatus = err.status();
        sse.queueEvent(Sse.data(Json.write(err.openAiTree())));
        sse.queueEvent(Sse.DONE);
    }

    /** @param translator the real stream's translator, for its token count; null for a fake stream */
    void endStream(StreamTranslator translator) {
        if (translator != null) {
            record.tokens = translator.totalTokens();
        }
        sse.end();
    }

    /** Sends the error: inside the stream once it is committed (keepalives or data went out), else as HTTP. */
    void error(ApiError err) {
        if (sse != null && sse.headSent()) {
            queueStreamError(err);
            sse.end();
        } else {
            abandon();
            Responses.sendError(ctx, request, err, false);
        }
    }

    /** Nothing more goes out on the stream: its keepalives stop and no head or end is written. */
    void abandon() {
        if (sse != null) {
            sse.abandon();
        }
    }
}
