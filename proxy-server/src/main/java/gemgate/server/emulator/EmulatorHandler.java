package gemgate.server.emulator;

import gemgate.core.json.Json;
import gemgate.core.json.JsonException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection, after the aggregator: records the request, checks the key, picks the {@link Behavior} and
 * answers in Google's wire format. At most one answer is in flight per connection (HTTP/1.1 has no interleaving);
 * a pipelined request waits in a small queue until it is done. Per-connection state is a few fields.
 */
final class EmulatorHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(EmulatorHandler.class);
    private static final Pattern MODEL_PATH = Pattern.compile("/(v1beta|v1)/models(?:/([^/:]+)(?::([A-Za-z]+))?)?");
    static final String JSON_TYPE = "application/json; charset=UTF-8";
    static final String SSE_TYPE = "text/event-stream";
    private static final int MAX_QUEUED = 16;
    private static final int MAX_BATCH = 100;

    /** An answer being delivered over time. Every method runs on the channel's event loop. */
    interface Reply {
        void start();

        void cancel();

        default void writabilityChanged() {}
    }

    private final GeminiEmulator emulator;
    private final Answers answers;
    private ArrayDeque<FullHttpRequest> queued;
    private Reply current;
    private ScheduledFuture<?> delayTask;
    private boolean closed;

    EmulatorHandler(GeminiEmulator emulator, Answers answers) {
        this.emulator = emulator;
        this.answers = answers;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        emulator.connectionOpened();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        emulator.connectionClosed();
        if (delayTask != null) {
            delayTask.cancel(false);
            delayTask = null;
        }
        if (current != null) {
            current.cancel();
        }
        if (queued != null) {
            FullHttpRequest r;
            while ((r = queued.poll()) != null) {
                r.release();
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.writabilityChanged();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("emulator connection {} failed: {}", ctx.channel().id(), cause.toString());
        ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (current == null) {
            handle(ctx, req);
            return;
        }
        if (queued == null) {
            queued = new ArrayDeque<>(2);
        }
        if (queued.size() >= MAX_QUEUED) {
            ctx.close();
            return;
        }
        queued.add(req.retain());
    }

    private void replyDone(Reply reply, ChannelHandlerContext ctx) {
        if (current != reply) {
            return;
        }
        current = null;
        emulator.streamEnded();
        while (!closed && current == null && queued != null && !queued.isEmpty()) {
            FullHttpRequest next = queued.poll();
            try {
                handle(ctx, next);
            } finally {
                next.release();
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            FullHttpResponse res = full(HttpResponseStatus.BAD_REQUEST, Answers.error(400, "INVALID_ARGUMENT",
                    "Request could not be parsed."));
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String headerKey = req.headers().get("x-goog-api-key");
        List<String> keyParam = q.parameters().get("key");
        String queryKey = keyParam == null || keyParam.isEmpty() ? null : keyParam.get(0);
        byte[] body = ByteBufUtil.getBytes(req.content());
        emulator.record(new RecordedRequest(req.method().name(), req.uri(), q.path(), headerKey, queryKey,
                headers(req.headers()), body));

        Matcher m = MODEL_PATH.matcher(q.path());
        if (!m.matches()) {
            send(ctx, HttpResponseStatus.NOT_FOUND, Answers.routeNotFound());
            return;
        }
        String apiVersion = m.group(1);
        String model = m.group(2);
        String action = m.group(3);
        boolean routeOk = action == null ? req.method().equals(HttpMethod.GET)
                : req.method().equals(HttpMethod.POST) && model != null && isModelMethod(action);
        if (!routeOk) {
            send(ctx, HttpResponseStatus.NOT_FOUND, Answers.routeNotFound());
            return;
        }
        String key = headerKey != null ? headerKey : queryKey;
        if (key == null || key.isEmpty()) {
            send(ctx, HttpResponseStatus.FORBIDDEN, Answers.noKey());
            return;
        }
        boolean generate = "generateContent".equals(action) || "streamGenerateContent".equals(action);
        Behavior b = emulator.behaviorFor(key, generate);
        if (b.kind.isKeyError()) {
            deliver(ctx, fullReply(ctx, b.kind == Behavior.Kind.INVALID_KEY ? 400 : 403, answers.errorFor(b)), b);
            return;
        }
        Map<String, Object> json = null;
        if (action != null) {
            try {
                json = Json.parseObject(body);
            } catch (JsonException e) {
                deliver(ctx, fullReply(ctx, 400, Answers.invalidJson(e.getMessage())), b);
                return;
            }
        }
        if (model != null && unknownModel(model, action)) {
            deliver(ctx, fullReply(ctx, 404, answers.modelNotFound(model, apiVersion, action == null ? "get" : action)), b);
            return;
        }
        Map<String, Object> refused = generate ? RequestChecks.rejection(model, emulator.samples().model(model), json) : null;
        if (refused != null) {
            deliver(ctx, fullReply(ctx, 400, refused), b);
            return;
        }
        if (b.kind.isError()) {
            deliver(ctx, fullReply(ctx, b.status, answers.errorFor(b)), b);
            return;
        }
        deliver(ctx, answer(ctx, q, model, action, json, b), b);
    }

    private Reply answer(ChannelHandlerContext ctx, QueryStringDecoder q, String model, String action,
            Map<String, Object> json, Behavior b) {
        if (model == null) {
            Map<String, Object> page = answers.modelsPage(intParam(q, "pageSize"), param(q, "pageToken"));
            return page != null ? fullReply(ctx, 200, page)
                    : fullReply(ctx, 400, Answers.error(400, "INVALID_ARGUMENT", "Invalid page token."));
        }
        if (action == null) {
            return fullReply(ctx, 200, emulator.samples().model(model));
        }
        Answers.Prompt prompt = Answers.prompt(json);
        switch (action) {
            case "generateContent":
                return fullReply(ctx, 200, answers.unary(b, model, prompt, Answers.responseId()));
            case "streamGenerateContent":
                return streamReply(ctx, "sse".equals(param(q, "alt")),
                        answers.stream(b, model, prompt, Answers.responseId()), b);
            case "countTokens":
                return fullReply(ctx, 200, Answers.countTokens(prompt));
            case "embedContent": {
                int dims = Answers.dimensions(json);
                if (dims < 0) {
                    return fullReply(ctx, 400, Answers.error(400, "INVALID_ARGUMENT", "Invalid output_dimensionality."));
                }
                return fullReply(ctx, 200, Json.object("embedding", Answers.embedding(Answers.embedText(json), dims)));
            }
            default: {
                List<Object> requests = Json.list(json, "requests");
                if (requests != null && requests.size() > MAX_BATCH) {
                    return fullReply(ctx, 400, answers.batchLimit());
                }
                List<Object> out = new ArrayList<>();
                for (Object r : requests == null ? List.of() : requests) {
                    int dims = Answers.dimensions(Json.asObject(r));
                    if (dims < 0) {
                        return fullReply(ctx, 400, Answers.error(400, "INVALID_ARGUMENT", "Invalid output_dimensionality."));
                    }
                    out.add(Answers.embedding(Answers.embedText(Json.asObject(r)), dims));
                }
                return fullReply(ctx, 200, Json.object("embeddings", out));
            }
        }
    }

    private static boolean isModelMethod(String action) {
        return switch (action) {
            case "generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents" -> true;
            default -> false;
        };
    }

    private boolean unknownModel(String model, String action) {
        boolean listed = emulator.samples().model(model) != null;
        if (action == null) {
            return !listed;
        }
        return model.contains("does-not-exist") || (!listed && model.startsWith("unknown"));
    }

    /** Sends at once, or after the behaviour's delay; delayed and streamed answers count as active streams. */
    private void deliver(ChannelHandlerContext ctx, Reply reply, Behavior b) {
        boolean streamed = reply instanceof StreamWriter;
        if (b.delay.isZero() && !streamed) {
            reply.start();
            return;
        }
        current = reply;
        emulator.streamStarted();
        if (b.delay.isZero()) {
            reply.start();
            return;
        }
        delayTask = ctx.executor().schedule(() -> {
            delayTask = null;
            if (current == reply) {
                reply.start();
            }
        }, b.delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private Reply fullReply(ChannelHandlerContext ctx, int status, Map<String, Object> body) {
        byte[] bytes = WireJson.pretty(body);
        Reply[] self = new Reply[1];
        self[0] = new Reply() {
            @Override
            public void start() {
                ctx.writeAndFlush(full(HttpResponseStatus.valueOf(status), bytes));
                replyDone(self[0], ctx);
            }

            @Override
            public void cancel() {
                replyDone(self[0], ctx);
            }
        };
        return self[0];
    }

    private Reply streamReply(ChannelHandlerContext ctx, boolean sse, List<Map<String, Object>> events, Behavior b) {
        List<byte[]> framed = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            framed.add(sse ? sseEvent(events.get(i)) : arrayElement(events.get(i), i == 0));
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        googleHeaders(head.headers(), sse ? SSE_TYPE : JSON_TYPE);
        if (sse) {
            head.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment");
        }
        HttpUtil.setTransferEncodingChunked(head, true);
        byte[] tail = sse ? new byte[0] : "\n]".getBytes(StandardCharsets.US_ASCII);
        StreamWriter[] self = new StreamWriter[1];
        self[0] = new StreamWriter(ctx, head, framed, tail, b.spacing.toNanos(), b.resetAfterChunks,
                () -> replyDone(self[0], ctx));
        return self[0];
    }

    /** {@code data: <one-line JSON>\r\n\r\n}, as every recorded googleai stream frames its events. */
    static byte[] sseEvent(Map<String, Object> event) {
        byte[] json = WireJson.oneLine(event);
        byte[] out = new byte[json.length + 10];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 4] = '\r';
        out[out.length - 3] = '\n';
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Without alt=sse: {@code [} before the first element, {@code \n,\n} between elements, {@code \n]} at the end. */
    static byte[] arrayElement(Map<String, Object> event, boolean first) {
        byte[] json = WireJson.pretty(event);
        byte[] sep = (first ? "[" : "\n,\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[sep.length + json.length];
        System.arraycopy(sep, 0, out, 0, sep.length);
        System.arraycopy(json, 0, out, sep.length, json.length);
        return out;
    }

    private void send(ChannelHandlerContext ctx, HttpResponseStatus status, Map<String, Object> body) {
        ctx.writeAndFlush(full(status, WireJson.pretty(body)));
    }

    private static FullHttpResponse full(HttpResponseStatus status, Map<String, Object> body) {
        return full(status, WireJson.pretty(body));
    }

    private static FullHttpResponse full(HttpResponseStatus status, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        googleHeaders(res.headers(), JSON_TYPE);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return res;
    }

    /** The headers Google's front end sends (vercel google-threshold-live.json), minus compression and dates. */
    private static void googleHeaders(HttpHeaders h, String contentType) {
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        h.set(HttpHeaderNames.VARY, "Origin, X-Origin, Referer");
        h.set(HttpHeaderNames.SERVER, "scaffolding on HTTPServer2");
        h.set("x-xss-protection", "0");
        h.set("x-frame-options", "SAMEORIGIN");
        h.set("x-content-type-options", "nosniff");
    }

    private static Map<String, String> headers(HttpHeaders h) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : h) {
            out.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue(), (a, c) -> a + ", " + c);
        }
        return out;
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static int intParam(QueryStringDecoder q, String name) {
        String v = param(q, name);
        try {
            return v == null ? 0 : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
