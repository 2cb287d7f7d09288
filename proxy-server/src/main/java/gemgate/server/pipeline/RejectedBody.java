package gemgate.server.pipeline;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Per-connection bookkeeping for a handler that answered a request without passing it on: the body chunks that
 * follow (up to and including the LastHttpContent, which the codec sends even for bodiless requests) must be released
 * here, or they would reach the next handler as stray content. Not thread-safe: one per channel, event loop only.
 */
final class RejectedBody {
    private boolean discarding;
    private boolean bodyExpected;

    /** Starts discarding after {@code req} was rejected (unless it already carried its whole body). */
    void start(HttpRequest req) {
        discarding = !(req instanceof LastHttpContent);
        bodyExpected = discarding && (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0
                || HttpUtil.is100ContinueExpected(req));
    }

    /**
     * True while body bytes of the rejected request are still to come: the connection is then closed after the
     * response rather than reading an unwanted body of any size.
     */
    boolean pending() {
        return discarding && bodyExpected;
    }

    /** Releases {@code msg} and returns true when it belongs to a rejected request's body. */
    boolean drop(Object msg) {
        if (!discarding) {
            return false;
        }
        if (msg instanceof HttpRequest) {
            // A new request means the previous body ended (a decoder failure can cut it short).
            discarding = false;
            return false;
        }
        if (msg instanceof HttpContent) {
            if (msg instanceof LastHttpContent) {
                discarding = false;
                bodyExpected = false;
            }
            ReferenceCountUtil.release(msg);
            return true;
        }
        return false;
    }
}
