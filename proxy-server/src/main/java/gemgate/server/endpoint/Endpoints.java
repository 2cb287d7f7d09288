package gemgate.server.endpoint;

import gemgate.core.auth.PublicPaths;
import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.openai.ChatRequest;
import gemgate.core.translate.ChatToGemini;
import gemgate.server.admin.AdminApi;
import gemgate.server.http.Responses;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import gemgate.core.log.RateLimitedLog;
import gemgate.server.metrics.Metrics;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route table. Each route answers at once or returns the {@link Exchange} that will. Paths are served with and
 * without {@code /v1}, since SillyTavern users often type the base URL without it.
 */
public final class Endpoints {
    private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
    private static final RateLimitedLog internalErrors = new RateLimitedLog(log, Duration.ofSeconds(60), 64,
            java.time.Clock.systemUTC());

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Gateway gw;
    private final String version;
    private final Metrics metrics;
    private final NativeRoutes nativeRoutes;

    private final AdminApi admin;

    /** @param metrics the counters shown by {@code GET /metrics} (shared with the access-log handler) */
    public Endpoints(Gateway gw, String version, Metrics metrics) {
        this(gw, version, metrics, null);
    }

    /** @param admin the admin API served under {@code /api/}; null answers 503 there */
    public Endpoints(Gateway gw, String version, Metrics metrics, AdminApi admin) {
        if (gw == null || version == null || metrics == null) {
            throw new IllegalArgumentException("gateway, version and metrics are required");
        }
        this.gw = gw;
        this.version = version;
        this.metrics = metrics;
        this.nativeRoutes = new NativeRoutes(gw, metrics);
        this.admin = admin;
    }

    /** The admin API, or null when this server has none. */
    public AdminApi admin() {
        return admin;
    }

    /**
     * Handles {@code req} (which the caller releases). A route that answers later registers its exchange with
     * {@link Exchange.Owner#exchangeStarted} before it starts.
     */
    public void dispatch(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
        if (req.decoderResult().isFailure()) {
            Throwable c = req.decoderResult().cause();
            ApiError err = c instanceof TooLongHttpLineException
                    ? new ApiError(414, "invalid_request_error", "uri_too_long", "The request line is too long.", null, 0)
                    : c instanceof TooLongHttpHeaderException
                            ? new ApiError(431, "invalid_request_error", "headers_too_large", "The request headers are too large.", null, 0)
                            : c instanceof TooLongFrameException
                                    ? ApiError.badRequest("The request is too large to decode.", null)
                                    : ApiError.badRequest("Malformed HTTP request.", null);
            Responses.sendError(ctx, req, err, true);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q >= 0 ? uri.substring(0, q) : uri;
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        // hajimi's /aistudio/... aliases of the OpenAI routes (/aistudio/models, /aistudio/v1/chat/completions...)
        boolean aistudio = path.startsWith("/aistudio/");
        if (aistudio) {
            path = path.substring("/aistudio".length());
        }
        HttpMethod m = req.method();
        if (PublicPaths.isAdmin(path)) {
            if (admin != null) {
                admin.dispatch(ctx, req, path, owner);
            } else {
                Responses.sendError(ctx, req, ApiError.adminUnavailable(), false);
            }
            return;
        }
        try {
            if (!aistudio && nativeRoutes.dispatch(ctx, req, owner, path)) {
                return;
            }
            switch (path) {
                case "/v1/chat/completions", "/chat/completions":
                    if (m.equals(HttpMethod.POST)) {
                        chat(ctx, req, owner);
                        return;
                    }
                    break;
                case "/v1/embeddings", "/embeddings":
                    if (m.equals(HttpMethod.POST)) {
                        embeddings(ctx, req, owner);
                        return;
                    }
                    break;
                case "/v1/models", "/models":
                    if (m.equals(HttpMethod.GET)) {
                        models(ctx, req, owner);
                        return;
                    }
                    break;
                case "/health":
                    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
                        health(ctx, req);
                        return;
                    }
                    break;
                case "/metrics":
                    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
                        metrics(ctx, req);
                        return;
                    }
                    break;
                case "/":
                    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
                        root(ctx, req);
                        return;
                    }
                    break;
                default:
                    Responses.sendError(ctx, req, ApiError.notFound(m.name(), path), false);
                    return;
            }
            Responses.sendError(ctx, req, ApiError.methodNotAllowed(m.name(), path), false);
        } catch (ApiException e) {
            Responses.sendError(ctx, req, e.error(), false);
        } catch (RuntimeException e) {
            internalErrors.warn(e.getClass().getName(), "internal error on {} {} (connection {})", m,
                    gemgate.server.http.RequestRecord.safe(path), ctx.channel().id(), e);
            Responses.sendError(ctx, req, ApiError.internal(), false);
        }
    }

    private void chat(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
        ChatRequest chat = ChatRequest.parse(ByteBufUtil.getBytes(req.content()));
        if (!gw.modelFilter().allows(ChatToGemini.upstreamModel(chat.model()))) {
            throw new ApiException(ApiError.modelNotAllowed(chat.model()));
        }
        ChatExchange ex = new ChatExchange(gw, ctx, req, chat, owner, metrics);
        owner.exchangeStarted(ex);
        ex.start();
    }

    private void embeddings(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
        gemgate.core.translate.Embeddings.Request er = gemgate.core.translate.Embeddings.parse(
                ByteBufUtil.getBytes(req.content()), gw.embeddings().defaultModel(), gw.embeddings().maxInputs());
        if (!gw.modelFilter().allows(er.upstreamModel())) {
            throw new ApiException(ApiError.modelNotAllowed(er.clientModel()));
        }
        EmbeddingsExchange ex = new EmbeddingsExchange(gw, ctx, req, er, owner, metrics);
        owner.exchangeStarted(ex);
        ex.start();
    }

    private void models(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner) {
        // Before the first background fetch finished, the request waits for it on this connection.
        nativeRoutes.withSnapshot(ctx, req, owner, false, snap -> Responses.json(HttpResponseStatus.OK, snap.openAiList()));
    }

    private void health(ChannelHandlerContext ctx, FullHttpRequest req) {
        byte[] body = Json.write(Json.object(
                "status", "ok",
                "version", version,
                "keys", Json.object("configured", gw.keys().size()),
                "models_cached", gw.models().snapshot() != null));
        Responses.send(ctx, req, Responses.json(HttpResponseStatus.OK, body), false);
    }

    private void metrics(ChannelHandlerContext ctx, FullHttpRequest req) {
        byte[] body = metrics.render(gw.keys().snapshot(), version).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = Responses.json(HttpResponseStatus.OK, body);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
        Responses.send(ctx, req, res, false);
    }

    private void root(ChannelHandlerContext ctx, FullHttpRequest req) {
        byte[] body = Json.write(Json.object(
                "name", "gemgate",
                "version", version,
                "message", "Gemini proxy is running. Point OpenAI-compatible clients at this address with /v1 and your PASSWORD as the API key.",
                "endpoints", java.util.List.of("POST /v1/chat/completions", "POST /v1/embeddings", "GET /v1/models",
                        "GET /health", "GET /metrics", "GET /v1beta/models", "POST /v1beta/models/{model}:generateContent")));
        Responses.send(ctx, req, Responses.json(HttpResponseStatus.OK, body), false);
    }
}
