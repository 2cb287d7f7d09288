package gemgate.server.upstream;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * Small blocking servers on loopback for the upstream client tests: a raw HTTP/1.1 server whose every connection is
 * scripted by the test, a TLS server with a self-signed certificate, an HTTP CONNECT proxy and a no-auth SOCKS5
 * proxy. Plain JDK sockets on daemon threads, so the servers hold no Netty buffers and cannot leak any.
 */
final class LoopbackServers {
    private LoopbackServers() {}

    /** What a server does with one accepted connection; {@code index} counts connections from 1. */
    interface Session {
        void serve(Socket socket, int index) throws Exception;
    }

    /** Accepts on an ephemeral loopback port and runs a {@link Session} per connection on its own thread. */
    static final class Server implements AutoCloseable {
        private final ServerSocket listener;
        private final Session session;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-server");
            t.setDaemon(true);
            return t;
        });
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();
        /** Errors thrown by sessions, other than the peer going away; tests assert there are none where it matters. */
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        Server(Session session) throws IOException {
            this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), session);
        }

        Server(ServerSocket listener, Session session) {
            this.listener = listener;
            this.session = session;
            threads.execute(this::acceptLoop);
        }

        int port() {
            return listener.getLocalPort();
        }

        private void acceptLoop() {
            while (!listener.isClosed()) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    return; // closed
                }
                int index = accepted.incrementAndGet();
                sockets.add(s);
                threads.execute(() -> {
                    try (s) {
                        session.serve(s, index);
                    } catch (Exception e) {
                        if (!(e instanceof IOException)) {
                            errors.add(e);
                        }
                    }
                });
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
            threads.shutdownNow();
        }
    }

    /** Reads one request head (through the blank line); null when the peer closed first. Requests here have no body. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String firstLine(String head) {
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** Blocks until the peer closes the connection (or resets it). */
    static void awaitPeerClose(InputStream in) {
        try {
            while (in.read() >= 0) {
                // drain
            }
        } catch (IOException e) {
            // a reset is a close too
        }
    }

    static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static String okKeepAlive(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: keep-alive\r\n\r\n" + body;
    }

    // ---- TLS ----

    /**
     * A TLS listener with a fresh self-signed certificate for 127.0.0.1, made with the JDK's keytool: Netty's
     * SelfSignedCertificate needs BouncyCastle or JDK internals that Java 17 no longer opens.
     */
    static ServerSocket selfSignedTlsListener(Path dir) throws Exception {
        Path store = dir.resolve("self-signed.p12");
        char[] pass = "changeit".toCharArray();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "test", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", new String(pass),
                "-keypass", new String(pass))
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !Files.exists(store)) {
            throw new IllegalStateException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return ss;
    }

    // ---- proxies ----

    /** An HTTP CONNECT proxy session: records the request line, dials the target, then relays both ways. */
    static Session connectProxy(List<String> requestLines) {
        return (client, index) -> {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String line = firstLine(head);
            requestLines.add(line);
            String[] parts = line.split(" ");
            if (!parts[0].equals("CONNECT")) {
                write(client.getOutputStream(), "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            int colon = parts[1].lastIndexOf(':');
            try (Socket target = new Socket(parts[1].substring(0, colon), Integer.parseInt(parts[1].substring(colon + 1)))) {
                write(client.getOutputStream(), "HTTP/1.1 200 Connection established\r\n\r\n");
                relay(client, target);
            }
        };
    }

    /** A SOCKS5 session without authentication: records the requested "host:port", dials it, relays both ways. */
    static Session socks5Proxy(List<String> targets) {
        return (client, index) -> {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                return;
            }
            int methods = in.readUnsignedByte();
            boolean noAuth = false;
            for (int i = 0; i < methods; i++) {
                noAuth |= in.readUnsignedByte() == 0;
            }
            out.write(new byte[] {5, (byte) (noAuth ? 0 : 0xFF)});
            out.flush();
            if (!noAuth) {
                return;
            }
            int ver = in.readUnsignedByte();
            int cmd = in.readUnsignedByte();
            in.readUnsignedByte(); // reserved
            int atyp = in.readUnsignedByte();
            String host;
            if (atyp == 1 || atyp == 4) {
                byte[] a = new byte[atyp == 1 ? 4 : 16];
                in.readFully(a);
                host = InetAddress.getByAddress(a).getHostAddress();
            } else if (atyp == 3) {
                byte[] name = new byte[in.readUnsignedByte()];
                in.readFully(name);
                host = new String(name, StandardCharsets.US_ASCII);
            } else {
                return;
            }
            int port = in.readUnsignedShort();
            targets.add(host + ":" + port);
            if (ver != 5 || cmd != 1) {
                out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            try (Socket target = new Socket()) {
                target.connect(new InetSocketAddress(host, port), 2000);
                out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
                out.flush();
                relay(client, target);
            }
        };
    }

    /** Copies bytes both ways until either side closes; the target-to-client direction runs on a helper thread. */
    private static void relay(Socket client, Socket target) throws Exception {
        Thread back = new Thread(() -> {
            try {
                target.getInputStream().transferTo(client.getOutputStream());
            } catch (IOException e) {
                // one side went away
            } finally {
                closeQuietly(client);
            }
        }, "loopback-relay");
        back.setDaemon(true);
        back.start();
        try {
            client.getInputStream().transferTo(target.getOutputStream());
        } catch (IOException e) {
            // one side went away
        } finally {
            closeQuietly(target);
        }
        back.join(2000);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
