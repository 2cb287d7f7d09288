package gemgate.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at random moments while a child JVM saves state through the real {@link StateStore}: every time,
 * the file must read back as one complete state of some round, never half-written and never moved aside as corrupt,
 * and the next child must restore exactly that state.
 */
class KillNineTest {
    private static final int ROUNDS = 18;
    /** Stop starting new rounds after this long, so a slow machine still ends in reasonable time. */
    private static final long BUDGET_MS = 18_000;

    @TempDir
    Path dir;

    private Process child() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), StateWriterChild.class.getName(),
                dir.toString());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    private static long awaitReady(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return Long.parseLong(line.substring(6).trim());
            }
            seen.add(line);
        }
        throw new AssertionError("the child ended before it was ready: " + seen);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void killNineAtAnyMomentLeavesACompleteState() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long started = System.currentTimeMillis();
        long lastSeq = -1;
        int rounds = 0;
        int killedMidWrite = 0;
        while (rounds < ROUNDS && (rounds < 5 || System.currentTimeMillis() - started < BUDGET_MS)) {
            rounds++;
            Process p = child();
            long delay = 20 + random.nextInt(281);
            try {
                long restored = awaitReady(p);
                assertThat(restored).as("round %d (seed %d): the child restored the state the last kill left", rounds, seed)
                        .isEqualTo(Math.max(lastSeq, 0));
                Thread.sleep(delay);
            } finally {
                p.destroyForcibly();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the killed child is gone").isTrue();
            }
            if (files().stream().anyMatch(n -> n.endsWith(AtomicFiles.TEMP_SUFFIX))) {
                killedMidWrite++;
            }

            StateFile.Read read = new StateFile(dir, StateWriterChild.SECTION, true, 1, StateFile.Migration.NONE,
                    Clock.systemUTC()).read();
            if (read instanceof StateFile.Read.Missing && lastSeq < 0) {
                continue; // killed before the very first save finished: nothing to check yet
            }
            assertThat(read).as("round %d (seed %d, kill after %d ms): the file is never unreadable", rounds, seed, delay)
                    .isInstanceOf(StateFile.Read.Loaded.class);
            var data = ((StateFile.Read.Loaded) read).data();
            long seq = (Long) data.get("seq");
            assertThat(data).as("round %d (seed %d): the file holds the complete state of round %d", rounds, seed, seq)
                    .isEqualTo(StateWriterChild.state(seq));
            assertThat(seq).as("saved states only move forward").isGreaterThanOrEqualTo(Math.max(lastSeq, 0));
            assertThat(files()).as("nothing was ever moved aside as corrupt").noneMatch(n -> n.contains(".corrupt-"));
            lastSeq = seq;
        }
        assertThat(lastSeq).as("the children got to save many states").isGreaterThan(rounds);
        System.out.printf("kill -9 test: %d rounds, last state %d, %d kills left a temporary file, %d ms, seed %d%n",
                rounds, lastSeq, killedMidWrite, System.currentTimeMillis() - started, seed);
    }
}
