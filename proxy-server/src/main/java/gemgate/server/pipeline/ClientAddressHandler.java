package gemgate.server.pipeline;

import gemgate.core.net.CidrSet;
import gemgate.server.http.Attrs;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Sets {@link Attrs#CLIENT_IP} for every request: the TCP peer, or, when the peer is a configured trusted proxy
 * (TRUSTED_PROXIES), the right-most address in {@code X-Forwarded-For} that is not itself a trusted proxy, else
 * {@code X-Real-IP}. Addresses a client wrote itself (left of the first untrusted hop) are never believed, and only IP
 * literals are accepted, so no header can make us resolve a name. Stateless, hence shareable.
 */
@ChannelHandler.Sharable
public final class ClientAddressHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "client-address";
    static final String UNKNOWN = "unknown";
    private static final String X_REAL_IP = "X-Real-IP";
    private static final String X_FORWARDED_FOR = "X-Forwarded-For";

    private final CidrSet trustedProxies;

    public ClientAddressHandler(CidrSet trustedProxies) {
        if (trustedProxies == null) {
            throw new IllegalArgumentException("trustedProxies is required (use an empty set for none)");
        }
        this.trustedProxies = trustedProxies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req) {
            ctx.channel().attr(Attrs.CLIENT_IP).set(clientIp(ctx.channel().remoteAddress(), req.headers()));
        }
        ctx.fireChannelRead(msg);
    }

    /** The address set for the current request, or the TCP peer when this handler is not in the pipeline. */
    static String of(io.netty.channel.Channel ch) {
        String ip = ch.attr(Attrs.CLIENT_IP).get();
        if (ip != null) {
            return ip;
        }
        return ch.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
                ? format(isa.getAddress().getAddress()) : UNKNOWN;
    }

    String clientIp(SocketAddress remote, HttpHeaders headers) {
        InetAddress peer = remote instanceof InetSocketAddress isa ? isa.getAddress() : null;
        if (peer == null) {
            return UNKNOWN;
        }
        if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
            return format(peer.getAddress());
        }
        String forwarded = fromForwardedFor(headers.getAll(X_FORWARDED_FOR));
        if (forwarded != null) {
            return forwarded;
        }
        String realIp = headers.get(X_REAL_IP);
        byte[] real = realIp == null ? null : CidrSet.literal(stripPort(realIp.trim()));
        return real != null ? format(real) : format(peer.getAddress());
    }

    private String fromForwardedFor(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        String[] hops = String.join(",", values).split(",");
        String furthestTrusted = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            byte[] addr = hop.isEmpty() ? null : CidrSet.literal(stripPort(hop));
            if (addr == null) {
                break; // garbage: nothing left of it can be trusted
            }
            if (!trustedProxies.contains(addr)) {
                return format(addr);
            }
            furthestTrusted = format(addr);
        }
        return furthestTrusted;
    }

    /** {@code 1.2.3.4:5678} and {@code [::1]:80} lose the port; bare IPv6 is left alone. */
    static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end > 0 ? hop.substring(1, end) : hop;
        }
        int colon = hop.indexOf(':');
        if (colon > 0 && colon == hop.lastIndexOf(':') && hop.indexOf('.') >= 0) {
            return hop.substring(0, colon);
        }
        return hop;
    }

    private static String format(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr).getHostAddress(); // no DNS: address bytes only
        } catch (UnknownHostException e) {
            return UNKNOWN;
        }
    }
}
