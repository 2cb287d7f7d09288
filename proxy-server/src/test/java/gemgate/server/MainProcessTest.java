package gemgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real process: command line, and SIGTERM ending in exit status 0 (what systemd and Docker report as clean). */
class MainProcessTest {
    private static final Pattern LISTENING = Pattern.compile("is listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private ProcessBuilder java(String... args) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().addAll(java.util.List.of(javaBin, "-Xmx64m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        pb.command().addAll(java.util.List.of(args));
        pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
        pb.environment().put("HOST", "127.0.0.1");
        pb.environment().put("PORT", "0");
        pb.environment().put("STORAGE_DIR", tmp.resolve("data").toString());
        pb.redirectErrorStream(true);
        return pb;
    }

    @Test
    void sigtermDrainsAndExitsZero() throws Exception {
        Process p = java("--demo").start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            long until = System.currentTimeMillis() + 30_000;
            String line;
            while (port < 0 && System.currentTimeMillis() < until && (line = out.readLine()) != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertThat(port).as("the banner names the port").isPositive();
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops within the grace").isTrue();
            assertThat(p.exitValue()).as("a clean stop after SIGTERM exits 0, not 143").isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void commandLineOptionsBehave() throws Exception {
        assertThat(run("--version")).startsWith("0 gemgate ");
        assertThat(run("--help")).startsWith("0 Usage: java -jar gemgate.jar").contains("--check-config", "--config FILE");
        assertThat(run("--bogus")).startsWith("2 ").contains("unknown option '--bogus'");
        assertThat(run("--config", tmp.resolve("missing.conf").toString())).startsWith("2 ").contains("missing.conf");
        Path conf = tmp.resolve("app.conf");
        Files.writeString(conf, "gemgate.server.idle-timeout = 120\ngemgate.log.max-file-size = 1MiB\n");
        assertThat(run("--config", conf.toString(), "--check-config"))
                .startsWith("0 gemgate ").contains("configuration is valid", "gemgate.server.idle-timeout = 120s",
                        "gemgate.log.max-file-size = 1MiB", "gemgate.metrics.require-password = true");
        Files.writeString(conf, "gemgate.log.max-histroy = 3\n");
        assertThat(run("--config", conf.toString(), "--check-config")).startsWith("2 ")
                .contains("unknown setting gemgate.log.max-histroy");
    }

    private String run(String... args) throws Exception {
        Process p = java(args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() + " " + out;
    }
}
