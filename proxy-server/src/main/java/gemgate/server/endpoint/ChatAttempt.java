package gemgate.server.endpoint;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.gemini.GeminiResponse;
import gemgate.core.keys.PooledKey;
import gemgate.core.keys.UpstreamFailure;
import gemgate.core.translate.StreamTranslator;
import gemgate.server.sse.SseResponse;
import gemgate.server.upstream.UpstreamCall;
import io.netty.handler.codec.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;

/**
 * One call to Gemini with one key for a chat request; the upstream listener. Several may be in flight in a round of
 * {@link ChatExchange}. The attempt reads the response: a real stream is translated chunk by chunk straight into the
 * client's event stream (read on only while the client keeps up), anything else is collected (an error body only up
 * to {@link #MAX_ERROR_BODY}, enough to classify it). What the call came to goes to its {@link Outcomes}, which
 * decides for the request. After the winner was sent, a loser is either cancelled or {@link #kept}: it runs on only
 * to put its good answer in the cache. Event-loop only; it holds bytes copied out of Netty's buffers, never a buffer.
 */
final class ChatAttempt implements UpstreamCall.Listener {
    static final int MAX_ERROR_BODY = 64 * 1024;

    /** What an attempt came to, told to the exchange that started it. All calls on the event loop. */
    interface Outcomes {
        /** The request was answered or its client left: an attempt that was not kept stops listening. */
        boolean decided();

        /** Gemini's whole 200 answer to a plain call, parsed; it may still be empty. */
        void answered(ChatAttempt a, GeminiResponse resp, byte[] bytes);

        /** A 200 event stream ended normally; its translator is not finished yet. */
        void streamEnded(ChatAttempt a);

        /** Gemini answered with an error status, or with a 200 that could not be read. */
        void failed(ChatAttempt a, UpstreamFailure f);

        /** The event stream could not be translated. */
        void streamBroken(ChatAttempt a, ApiError err);

        /** The call itself failed: connect, reset, timeout, too large, or the connection pool was full. */
        void callFailed(ChatAttempt a, UpstreamCall.FailureKind kind, String detail);
    }

    final PooledKey key;
    private final Outcomes outcomes;
    /** The client's event stream; null for a plain (JSON) answer. */
    private final SseResponse sse;
    /** Makes the translator of a real stream; null unless the request is a real stream. */
    private final Supplier<StreamTranslator> streamTranslators;
    UpstreamCall call;
    private int status;
    private ByteArrayOutputStream body;
    /** Set once a real stream's 200 head arrived. */
    StreamTranslator translator;
    /** Outlived the request it was started for; its good answer goes to the cache. */
    boolean kept;

    ChatAttempt(PooledKey key, Outcomes outcomes, SseResponse sse, Supplier<StreamTranslator> streamTranslators) {
        if (key == null || outcomes == null) {
            throw new IllegalArgumentException("an attempt needs a key and the outcomes to report to");
        }
        this.key = key;
        this.outcomes = outcomes;
        this.sse = sse;
        this.streamTranslators = streamTranslators;
    }

    /** True when nothing this call does matters any more: the request is decided and no cache waits for it. */
    private boolean ignored() {
        return outcomes.decided() && !kept;
    }

    @Override
    public void onHead(int status, HttpResponse head) {
        this.status = status;
        if (status == 200 && streamTranslators != null) {
            translator = streamTranslators.get();
        } else {
            body = new ByteArrayOutputStream(status == 200 ? 4096 : 512);
        }
    }

    @Override
    public boolean onBody(byte[] bytes) {
        if (ignored()) {
            return false;
        }
        if (translator != null) {
            try {
                translator.feed(bytes, 0, bytes.length, sse::queueEvent);
                sse.flush(); // everything translated from this upstream read goes out in one write
            } catch (ApiException e) {
                outcomes.streamBroken(this, e.error());
                return false;
            }
            return sse.isWritable();
        }
        if (status != 200 && body.size() + bytes.length > MAX_ERROR_BODY) {
            return true; // enough of an error body to classify it; drain the rest
        }
        body.write(bytes, 0, bytes.length);
        return true;
    }

    @Override
    public void onEnd() {
        if (ignored()) {
            return;
        }
        if (status != 200) {
            outcomes.failed(this, UpstreamFailure.fromResponse(status, body.toByteArray()));
            return;
        }
        if (translator != null) {
            outcomes.streamEnded(this);
            return;
        }
        byte[] bytes = body.toByteArray();
        GeminiResponse resp;
        try {
            resp = GeminiResponse.parse(bytes);
        } catch (ApiException e) {
            outcomes.failed(this, UpstreamFailure.connection("Gemini sent an unreadable answer: " + e.getMessage()));
            return;
        }
        outcomes.answered(this, resp, bytes);
    }

    @Override
    public void onFailure(UpstreamCall.FailureKind kind, String detail) {
        if (ignored()) {
            return;
        }
        outcomes.callFailed(this, kind, detail);
    }
}
