package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.json.Json;
import gemgate.core.models.GeminiModelList;
import gemgate.core.translate.ChatToGemini;
import gemgate.server.http.Responses;
import gemgate.server.metrics.Metrics;
import gemgate.server.pipeline.AuthHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The native Gemini routes: {@code GET models}, {@code GET models/{m}} and {@code POST models/{m}:{action}} under
 * {@code /v1beta}, {@code /v1alpha}, {@code /v1} and hajimi's {@code /gemini/{version}} prefix, answered in Google's
 * format with Google-shaped errors. Lists come from the cached model list; model methods go to a
 * {@link NativeExchange}.
 *
 * <p>{@code /v1/models} and {@code /v1/models/{m}} are also OpenAI routes. They answer in Google's format only for a
 * request that is clearly from a Gemini client: it authenticated the Google way ({@code x-goog-api-key} or
 * {@code ?key=}; OpenAI SDKs always send a Bearer token) or it carries {@code x-goog-api-client}, which every Google
 * SDK sends. Everyone else gets OpenAI's list and model object.
 */
final class NativeRoutes {
    /** (optional /gemini) / version / models [ / name [ :action ] ] */
    private static final Pattern PATH = Pattern.compile("(/gemini)?/(v1beta|v1alpha|v1)/models(?:/([^/]*))?");
    private static final Set<String> ACTIONS = Set.of(
            "generateContent", "streamGenerateContent", "countTokens", "embedContent", "batchEmbedContents");
    /** Query parameters passed upstream; everything else (the password above all) stays here. */
    private static final Set<String> FORWARDED_PARAMS = Set.of("alt", "$alt", "prettyPrint", "$prettyPrint");

    private final Gateway gw;
    private final Metrics metrics;

    NativeRoutes(Gateway gw, Metrics metrics) {
        this.gw = gw;
        this.metrics = metrics;
    }

    /**
     * Answers {@code req} if {@code path} (query and trailing slash removed) is a native route; false when it is not
     * one, so the caller routes it on.
     */
    boolean dispatch(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner, String path) {
        Matcher m = PATH.matcher(path);
        if (!m.matches()) {
            return false;
        }
        boolean hajimiPrefix = m.group(1) != null;
        String version = m.group(2);
        String name = m.group(3);
        boolean ambiguous = !hajimiPrefix && version.equals("v1") && (name == null || name.indexOf(':') < 0);
        if (ambiguous && !geminiClient(req)) {
            return openAiModel(ctx, req, owner, name);
        }
        try {
            HttpMethod method = req.method();
            if (name == null) {
                if (!isGet(method)) {
                    throw new ApiException(ApiError.methodNotAllowed(method.name(), path));
                }
                QueryStringDecoder q = new QueryStringDecoder(req.uri());
                int pageSize = intParam(q, "pageSize");
                String pageToken = param(q, "pageToken");
                withSnapshot(ctx, req, owner, s -> ok(GeminiModelList.page(s.geminiEntries(), gw.modelFilter(), pageSize, pageToken)));
                return true;
            }
            int colon = name.indexOf(':');
            String rawModel = colon < 0 ? name : name.substring(0, colon);
            String action = colon < 0 ? null : name.substring(colon + 1);
            String model = ChatToGemini.upstreamModel(QueryStringDecoder.decodeComponent(rawModel));
            if (action == null) {
                if (!isGet(method)) {
                    throw new ApiException(ApiError.methodNotAllowed(method.name(), path));
                }
                withSnapshot(ctx, req, owner, s -> {
                    Map<String, Object> entry = GeminiModelList.find(s.geminiEntries(), gw.modelFilter(), model);
                    if (entry == null) {
                        throw new ApiException(modelNotFound(model, version));
                    }
                    return ok(Json.write(entry));
                });
                return true;
            }
            if (!ACTIONS.contains(action)) {
                throw new ApiException(new ApiError(404, "invalid_request_error", "not_found", "The method '" + action
                        + "' is not served by this proxy; it passes through " + String.join(", ", ACTIONS.stream().sorted().toList()) + ".",
                        null, 0));
            }
            if (!method.equals(HttpMethod.POST)) {
                throw new ApiException(ApiError.methodNotAllowed(method.name(), path));
            }
            if (!gw.modelFilter().allows(model)) {
                throw new ApiException(ApiError.modelNotAllowed(model));
            }
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String alt = param(q, "alt");
            if (alt == null) {
                alt = param(q, "$alt");
            }
            NativeExchange ex = new NativeExchange(gw, ctx, req, ByteBufUtil.getBytes(req.content()), version, model,
                    action, forwardedQuery(req.uri()), "sse".equals(alt), owner, metrics);
            owner.exchangeStarted(ex);
            ex.start();
        } catch (ApiException e) {
            Responses.send(ctx, req, Responses.error(e.error(), true), false);
        }
        return true;
    }

    /**
     * True for a request from a Gemini client: it authenticated with {@code x-goog-api-key} or {@code ?key=} (the auth
     * handler marks those) or it carries Google's SDK header {@code x-goog-api-client}.
     */
    static boolean geminiClient(HttpRequest req) {
        return req.headers().contains(AuthHandler.GOOGLE_STYLE_AUTH) || req.headers().contains("x-goog-api-client");
    }

    /** {@code GET /v1/models} (OpenAI's list, served by the caller) or {@code GET /v1/models/{id}} (OpenAI's model). */
    private boolean openAiModel(ChannelHandlerContext ctx, FullHttpRequest req, Exchange.Owner owner, String name) {
        if (name == null) {
            return false; // the OpenAI list route
        }
        if (!isGet(req.method())) {
            Responses.sendError(ctx, req, ApiError.methodNotAllowed(req.method().name(), "/v1/models/" + name), false);
            return true;
        }
        String id = QueryStringDecoder.decodeComponent(name);
        String bare = id.startsWith("models/") ? id.substring("models/".length()) : id;
        withSnapshot(ctx, req, owner, false, s -> {
            boolean listed = s.models().stream().anyMatch(mdl -> mdl.id().equals(bare) && mdl.chatCapable())
                    && gw.modelFilter().allows(bare);
            if (!listed) {
                throw new ApiException(new ApiError(404, "invalid_request_error", "model_not_found",
                        "The model '" + bare + "' does not exist on this proxy (GET /v1/models lists those it offers).", "model", 0));
            }
            return ok(Json.write(Json.object("id", bare, "object", "model", "created", s.fetchedAtMillis() / 1000,
                    "owned_by", "google")));
        });
        return true;
    }

    private static ApiError modelNotFound(String model, String version) {
        return new ApiError(404, "invalid_request_error", "model_not_found", "models/" + model
                + " is not found for API version " + version + " on this proxy (unknown, or not allowed by WHITELIST_MODELS / BLOCKED_MODELS).",
                "model", 0);
    }

    private void withSnapshot(ChannelHandlerContext ctx, HttpRequest req, Exchange.Owner owner,
            Function<ModelService.Snapshot, FullHttpResponse> render) {
        withSnapshot(ctx, req, owner, true, render);
    }

    /**
     * Renders from the cached model list, waiting for the first fetch when there is none yet; errors in Gemini's
     * shape or OpenAI's. Also serves the OpenAI model list.
     */
    void withSnapshot(ChannelHandlerContext ctx, HttpRequest req, Exchange.Owner owner, boolean geminiShape,
            Function<ModelService.Snapshot, FullHttpResponse> render) {
        ModelService.Snapshot s = gw.models().snapshot();
        if (s != null) {
            answer(ctx, req, geminiShape, render, s);
            return;
        }
        SnapshotWait wait = new SnapshotWait(ctx, req, owner, geminiShape, render);
        owner.exchangeStarted(wait);
        gw.models().get(ctx.channel().eventLoop(), wait::deliver);
    }

    private static void answer(ChannelHandlerContext ctx, HttpRequest req, boolean geminiShape,
            Function<ModelService.Snapshot, FullHttpResponse> render, Object result) {
        try {
            if (result instanceof ModelService.Snapshot snap) {
                Responses.send(ctx, req, render.apply(snap), false);
                return;
            }
            throw new ApiException((ApiError) result);
        } catch (ApiException e) {
            Responses.send(ctx, req, Responses.error(e.error(), geminiShape), false);
        }
    }

    /** A model request waiting for the first fetch of the list. */
    private static final class SnapshotWait implements Exchange {
        private final ChannelHandlerContext ctx;
        private final HttpRequest req;
        private final Exchange.Owner owner;
        private final boolean geminiShape;
        private final Function<ModelService.Snapshot, FullHttpResponse> render;
        private boolean cancelled;

        SnapshotWait(ChannelHandlerContext ctx, HttpRequest req, Exchange.Owner owner, boolean geminiShape,
                Function<ModelService.Snapshot, FullHttpResponse> render) {
            this.ctx = ctx;
            this.req = req;
            this.owner = owner;
            this.geminiShape = geminiShape;
            this.render = render;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void deliver(Object result) {
            if (cancelled) {
                return;
            }
            answer(ctx, req, geminiShape, render, result);
            owner.exchangeDone(this);
        }
    }

    /** The client's query minus everything but {@link #FORWARDED_PARAMS}, each pair kept as it was written. */
    static String forwardedQuery(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String pair : uri.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            String name = QueryStringDecoder.decodeComponent(eq >= 0 ? pair.substring(0, eq) : pair);
            if (FORWARDED_PARAMS.contains(name) && pair.matches("[A-Za-z0-9$=._-]+")) {
                if (sb.length() > 0) {
                    sb.append('&');
                }
                sb.append(pair);
            }
        }
        return sb.toString();
    }

    private static FullHttpResponse ok(byte[] json) {
        return Responses.json(HttpResponseStatus.OK, json);
    }

    private static boolean isGet(HttpMethod m) {
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD);
    }

    private static String param(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static int intParam(QueryStringDecoder q, String name) {
        String v = param(q, name);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(ApiError.badRequest("pageSize must be a whole number, got '" + v + "'.", "pageSize"));
        }
    }
}
