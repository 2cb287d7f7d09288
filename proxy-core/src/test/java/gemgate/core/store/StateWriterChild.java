package gemgate.core.store;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The child process of {@link KillNineTest}: restores section "state" from the directory given, prints
 * {@code READY <seq>}, then saves ever newer states as fast as it can, through the real {@link StateStore} (its
 * background writer with no delay, plus flushes from the main thread) until it is killed.
 */
public final class StateWriterChild {
    static final String SECTION = "state";

    private StateWriterChild() {}

    /** The complete state of round {@code seq}: its size and content vary with seq, so a torn write cannot pass. */
    static Map<String, Object> state(long seq) {
        int n = (int) (seq % 61) * 25 + 1;
        List<Object> items = new ArrayList<>(n);
        StringBuilder pad = new StringBuilder();
        for (int i = 0; i < (seq % 13) * 7; i++) {
            pad.append((char) ('a' + (seq + i) % 26));
        }
        for (int i = 0; i < n; i++) {
            items.add("item-" + seq + "-" + i + "-" + pad);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", seq);
        m.put("items", items);
        m.put("count", (long) n);
        return m;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        StateStore store = StateStore.onDisk(dir, Duration.ZERO, StateStore.Scheduler.singleDaemonThread(),
                Clock.systemUTC());
        long[] restored = {0};
        store.register(SECTION, true, () -> current, data -> {
            long seq = (Long) data.get("seq");
            if (!state(seq).equals(data)) {
                System.out.println("BAD restored state " + seq);
                System.exit(3);
            }
            restored[0] = seq;
        });
        long seq = restored[0];
        current = state(seq);
        System.out.println("READY " + seq);
        System.out.flush();
        while (true) {
            seq++;
            current = state(seq);
            store.markDirty(SECTION);
            if (seq % 3 == 0) {
                store.flush();
            }
        }
    }

    private static volatile Map<String, Object> current;
}
