package gemgate.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import gemgate.server.emulator.Behavior;
import java.io.ByteArrayOutputStream;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's nginx, started on loopback with the shipped config/nginx.conf (ports and TLS lines substituted), in front
 * of the proxy. Skips only when nginx is not installed.
 */
class NginxE2ETest {
    private static Path nginxBin;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findNginx() {
        for (String p : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", "/usr/local/bin/nginx")) {
            if (Files.isExecutable(Path.of(p))) {
                nginxBin = Path.of(p);
            }
        }
        assumeTrue(nginxBin != null, "nginx is not installed (apt-get install nginx); .ci/run installs it");
    }

    /** The shipped site file made runnable here: no TLS, no redirect block, our ports. Each edit must apply. */
    static String site(String shipped, int nginxPort, int proxyPort) {
        String s = shipped;
        s = replaceOnce(s, "server 127.0.0.1:7860;", "server 127.0.0.1:" + proxyPort + ";");
        String redirect = s.replaceFirst("(?s)server \\{\\s*listen 80;(?:[^{}]|\\{[^{}]*\\})*\\}", "");
        assertThat(redirect).as("the http->https redirect block is found").isNotEqualTo(s);
        s = redirect;
        s = replaceOnce(s, "listen 443 ssl;", "listen 127.0.0.1:" + nginxPort + ";");
        s = replaceOnce(s, "listen [::]:443 ssl;", "");
        String noTls = s.replaceAll("(?m)^\\s*ssl_\\w+\\s.*$", "");
        assertThat(noTls).as("TLS placeholders are found").isNotEqualTo(s);
        return noTls;
    }

    private static String replaceOnce(String s, String from, String to) {
        assertThat(s).as("config/nginx.conf still contains: " + from).contains(from);
        return s.replace(from, to);
    }

    private final class Nginx implements AutoCloseable {
        final int port;
        final Process process;

        Nginx(int proxyPort) throws Exception {
            port = freePort();
            String shipped = Files.readString(Path.of("..", "config", "nginx.conf"));
            for (String d : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                Files.createDirectories(tmp.resolve(d));
            }
            boolean root = "root".equals(System.getProperty("user.name"));
            String conf = (root ? "user root;\n" : "") + """
                    daemon off;
                    worker_processes 1;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log info;
                    events { worker_connections 256; }
                    http {
                      access_log %1$s/access.log;
                      client_body_temp_path %1$s/body;
                      proxy_temp_path %1$s/proxy;
                      fastcgi_temp_path %1$s/fastcgi;
                      uwsgi_temp_path %1$s/uwsgi;
                      scgi_temp_path %1$s/scgi;
                    %2$s
                    }
                    """.formatted(tmp, site(shipped, port, proxyPort));
            Path file = tmp.resolve("nginx.conf");
            Files.writeString(file, conf);
            process = new ProcessBuilder(nginxBin.toString(), "-e", tmp.resolve("error.log").toString(),
                    "-p", tmp.toString(), "-c", file.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("nginx.out").toFile()).start();
            long until = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < until) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        break;
                    }
                    Thread.sleep(20);
                }
            }
            throw new IllegalStateException("nginx did not start: " + Files.readString(tmp.resolve("nginx.out"))
                    + (Files.exists(tmp.resolve("error.log")) ? Files.readString(tmp.resolve("error.log")) : ""));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A raw HTTP/1.1 exchange from a chosen loopback address; records when each line arrived. */
    record Timed(long millis, String line) {}

    static final class Answer {
        final List<Timed> lines = new ArrayList<>();
        String status() {
            return lines.isEmpty() ? "" : lines.get(0).line;
        }
        String body() {
            StringBuilder b = new StringBuilder();
            boolean inBody = false;
            for (Timed t : lines) {
                if (inBody) {
                    b.append(t.line).append('\n');
                } else if (t.line.isEmpty()) {
                    inBody = true;
                }
            }
            return b.toString();
        }
    }

    private static Answer exchange(String from, int port, String method, String path, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Authorization: Bearer " + Harness.PASSWORD + "\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n" // a client's own claim: must never be believed
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            Answer a = new Answer();
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String l = line.toString(StandardCharsets.UTF_8);
                    a.lines.add(new Timed((System.nanoTime() - t0) / 1_000_000, l.endsWith("\r") ? l.substring(0, l.length() - 1) : l));
                    line.reset();
                } else {
                    line.write(c);
                }
            }
            return a;
        }
    }

    private static List<Timed> matching(Answer a, String prefix) {
        return a.lines.stream().filter(t -> t.line.startsWith(prefix)).toList();
    }

    @Test
    void fakeStreamKeepalivesPassNginxAsTheyAreSent() throws Exception {
        try (Harness h = Harness.start("FAKE_STREAMING", "true", "FAKE_STREAMING_INTERVAL", "0.25");
                Nginx nginx = new Nginx(h.proxy.port())) {
            h.emulator.script("test-key-good", Behavior.ok().withText("late answer").withDelay(Duration.ofMillis(2500)));
            Answer a = exchange("127.0.0.1", nginx.port, "POST", "/v1/chat/completions",
                    Harness.chat("gemini-2.5-flash", "think", true));
            assertThat(a.status()).contains("200");
            List<Timed> keepalives = matching(a, ":");
            List<Timed> data = matching(a, "data: {");
            assertThat(keepalives.size()).as("keepalives while Gemini thinks").isGreaterThanOrEqualTo(5);
            assertThat(keepalives.get(0).millis()).as("the first keepalive arrives at once, not buffered until the answer")
                    .isLessThan(1500);
            assertThat(data.get(0).millis() - keepalives.get(0).millis()).as("keepalives came well before the data")
                    .isGreaterThan(1000);
            assertThat(SseEvents.parse(a.body()).content()).isEqualTo("late answer");
        }
    }

    @Test
    void realStreamChunksPassNginxAsTheyArrive() throws Exception {
        try (Harness h = Harness.start("FAKE_STREAMING", "false"); Nginx nginx = new Nginx(h.proxy.port())) {
            h.emulator.script("test-key-good", Behavior.ok().withText("a b c d e f g h i j").withChunks(5, Duration.ofMillis(400)));
            Answer a = exchange("127.0.0.1", nginx.port, "POST", "/v1/chat/completions",
                    Harness.chat("gemini-2.5-flash", "go", true));
            assertThat(a.status()).contains("200");
            assertThat(a.lines).extracting(Timed::line).as("the proxy's id and no-buffering header pass nginx")
                    .anyMatch(l -> l.toLowerCase().startsWith("x-request-id: "));
            List<Timed> data = matching(a, "data: {");
            assertThat(data.size()).isGreaterThanOrEqualTo(5);
            assertThat(data.get(data.size() - 1).millis() - data.get(0).millis())
                    .as("chunks arrive spread out as Gemini sends them (~1.6 s), not all at the end").isGreaterThan(1000);
            assertThat(SseEvents.parse(a.body()).content()).isEqualTo("a b c d e f g h i j");
        }
    }

    @Test
    void thePerIpLimitSeesTheAddressNginxForwards() throws Exception {
        try (Harness h = Harness.start("MAX_REQUESTS_PER_MINUTE", "2", "TRUSTED_PROXIES", "127.0.0.1/32");
                Nginx nginx = new Nginx(h.proxy.port())) {
            for (int i = 0; i < 2; i++) {
                assertThat(exchange("127.0.0.5", nginx.port, "GET", "/v1/models", null).status()).contains("200");
            }
            assertThat(exchange("127.0.0.5", nginx.port, "GET", "/v1/models", null).status())
                    .as("the third request of 127.0.0.5 in a minute is limited").contains("429");
            assertThat(exchange("127.0.0.6", nginx.port, "GET", "/v1/models", null).status())
                    .as("another client behind the same nginx has its own budget (neither nginx's address nor the "
                            + "client-written X-Forwarded-For is used)").contains("200");
        }
    }

    @Test
    void aLargeImageBodyPassesAndAnOversizedOneGets413() throws Exception {
        try (Harness h = Harness.start(); Nginx nginx = new Nginx(h.proxy.port())) {
            String image = "A".repeat(15 * 1024 * 1024);
            String body = "{\"model\":\"gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                    + "\"text\":\"what is this\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
                    + image + "\"}}]}]}";
            Answer ok = exchange("127.0.0.1", nginx.port, "POST", "/v1/chat/completions", body);
            assertThat(ok.status()).as("a 15 MiB image fits nginx's and the proxy's 20 MiB limit").contains("200");
            String tooBig = body.replace(image, "A".repeat(21 * 1024 * 1024));
            assertThat(exchange("127.0.0.1", nginx.port, "POST", "/v1/chat/completions", tooBig).status()).contains("413");
        }
    }
}
