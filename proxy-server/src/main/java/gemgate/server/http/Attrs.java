package gemgate.server.http;

import io.netty.util.AttributeKey;

/** Per-connection attributes shared by the pipeline's handlers. */
public final class Attrs {
    /**
     * The address of the client of the request now being handled: the TCP peer, or the forwarded address when the
     * peer is a trusted proxy. Set by the client-address handler for every request; a String IP literal.
     */
    public static final AttributeKey<String> CLIENT_IP = AttributeKey.valueOf("gemgate.clientIp");

    /** The access-log record of the request now being answered; see {@link RequestRecord#current}. */
    public static final AttributeKey<RequestRecord> REQUEST = AttributeKey.valueOf("gemgate.request");

    private Attrs() {}
}
