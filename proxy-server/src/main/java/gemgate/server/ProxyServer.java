package gemgate.server;

import gemgate.server.pipeline.ServerInitializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event loops and the listening socket. NIO by default; native epoll only when asked for and available (it does not
 * load on Android). The same worker loops carry the upstream connections, so a request and its Gemini call share a
 * thread.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerSocketChannel> serverChannelClass;
    private final Class<? extends SocketChannel> clientChannelClass;
    private Channel serverChannel;

    public ProxyServer(int ioThreads, boolean nativeTransport) {
        boolean epoll = nativeTransport && Epoll.isAvailable();
        if (nativeTransport && !epoll) {
            log.info("native transport requested but not available here ({}); using NIO",
                    Epoll.unavailabilityCause() == null ? "unknown" : Epoll.unavailabilityCause().getMessage());
        }
        if (epoll) {
            boss = new EpollEventLoopGroup(1);
            workers = new EpollEventLoopGroup(ioThreads);
            serverChannelClass = EpollServerSocketChannel.class;
            clientChannelClass = EpollSocketChannel.class;
        } else {
            boss = new NioEventLoopGroup(1);
            workers = new NioEventLoopGroup(ioThreads);
            serverChannelClass = NioServerSocketChannel.class;
            clientChannelClass = NioSocketChannel.class;
        }
    }

    public EventLoopGroup workers() {
        return workers;
    }

    /** The socket channel class for outgoing connections on these loops. */
    public Class<? extends SocketChannel> clientChannelClass() {
        return clientChannelClass;
    }

    /** Binds and starts serving; returns the bound address (port 0 gives an ephemeral port). */
    public InetSocketAddress start(String host, int port, ServerInitializer initializer) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(serverChannelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // Small write queues: a slow reader pauses the upstream read instead of piling data up here.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(initializer);
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Closes the listening socket: new connections are refused, open ones carry on. Idempotent. */
    public void stopAccepting() {
        Channel ch = serverChannel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
    }

    /** Stops accepting, then lets the loops finish what is queued and shuts them down. */
    @Override
    public void close() {
        stopAccepting();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

}
