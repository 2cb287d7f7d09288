package gemgate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import gemgate.core.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builders and checks shared by the handler tests. */
final class HandlerTestSupport {
    private HandlerTestSupport() {}

    /** A clock tests move by hand. */
    static final class MutableClock extends java.time.Clock {
        private java.time.Instant now = java.time.Instant.parse("2026-05-01T12:00:00Z");

        void advance(java.time.Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** An embedded channel whose TCP peer is {@code peerIp}. */
    static EmbeddedChannel channel(String peerIp, ChannelHandler... handlers) {
        InetSocketAddress peer;
        try {
            peer = new InetSocketAddress(InetAddress.getByName(peerIp), 40_000);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        return new EmbeddedChannel(handlers) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
    }

    /** A request head as HttpServerCodec emits it; the body (or LastHttpContent.EMPTY) follows separately. */
    static HttpRequest get(String uri, String... headers) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().add(headers[i], headers[i + 1]);
        }
        return req;
    }

    static HttpRequest post(String uri, int contentLength, String... headers) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        for (int i = 0; i < headers.length; i += 2) {
            req.headers().add(headers[i], headers[i + 1]);
        }
        return req;
    }

    static HttpContent chunk(String s) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    static LastHttpContent last(String s) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    static FullHttpResponse response(EmbeddedChannel ch) {
        Object out = ch.readOutbound();
        assertThat(out).as("a response was written").isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out;
    }

    /** Parses the body and releases the response. */
    static Map<String, Object> bodyAndRelease(FullHttpResponse res) {
        try {
            ByteBuf c = res.content();
            return Json.parseObject(c.toString(StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        } finally {
            res.release();
        }
    }

    static void assertReleased(Object... msgs) {
        for (Object m : msgs) {
            if (m instanceof io.netty.util.ReferenceCounted rc) {
                assertThat(rc.refCnt()).as("a rejected request's message %s must be released", m.getClass().getSimpleName())
                        .isZero();
            }
        }
    }

    /** Releases anything left in the channel and closes it. */
    static void finish(EmbeddedChannel ch) {
        Object o;
        while ((o = ch.readInbound()) != null) {
            ReferenceCountUtil.release(o);
        }
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
    }
}
