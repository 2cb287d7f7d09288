package gemgate.server.endpoint;

/**
 * A request still in flight after the router handed it over: it outlives {@code channelRead} and is told about the
 * client connection's events. At most one per connection at a time.
 */
public interface Exchange {
    /** The client connection became writable again: continue a paused upstream read. */
    default void onWritable() {}

    /** The client went away: cancel upstream work, release everything, write nothing. */
    void cancel();

    /** The connection-side owner of exchanges (the router). */
    interface Owner {
        /** Called before the exchange starts work, so events that happen during start are routed to it. */
        void exchangeStarted(Exchange exchange);

        /** Called by an exchange when it has written its last byte (possibly from within start). */
        void exchangeDone(Exchange exchange);
    }
}
