package gemgate.core.config;

import gemgate.core.error.ApiError;
import gemgate.core.error.ApiException;
import gemgate.core.store.StateStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings that can change while the server runs (those hajimi's page changes live, and any path added to
 * {@link #PATHS}), and the current effective {@link Settings}.
 *
 * <p>A change is validated by mapping the configuration sources again with the runtime overlay placed between the
 * environment and the external file, so it is checked exactly like start-up config. Precedence, highest first:
 * system properties > environment > runtime > external file > reference.conf. A runtime value that the environment or
 * a system property overrides is saved but has no effect; {@link Result#shadowed()} says so, so the admin API can
 * tell the operator. Saved values live in the {@link StateStore} section {@value #SECTION} and are restored at
 * start; one that no longer validates is dropped with a warning.
 *
 * <p>Threads: {@link #current()} and suppliers from {@link #derive} are volatile reads, safe anywhere.
 * {@link #apply} does no I/O (the save is handed to the store's writer) and takes well under a millisecond, so it may
 * run on an event loop; it is serialised, and listeners run on the applying thread, in order, after the change.
 */
public final class RuntimeSettings {
    private static final Logger log = LoggerFactory.getLogger(RuntimeSettings.class);

    /** The state section holding the saved values: {@code {"values": {"gemgate.x.y": value, ...}}}. */
    public static final String SECTION = "settings";

    /** Paths that may change at runtime. To make another setting live, list it here and read it through current(). */
    public static final List<String> PATHS = List.of(
            "gemgate.rate-limit.per-minute",
            "gemgate.rate-limit.per-day",
            "gemgate.streaming.fake-streaming",
            "gemgate.streaming.keepalive-interval",
            "gemgate.retry.max-retry-num",
            "gemgate.retry.max-empty-responses",
            "gemgate.models.whitelist",
            "gemgate.models.blocked",
            "gemgate.concurrency.concurrent-requests",
            "gemgate.concurrency.increase-on-failure",
            "gemgate.concurrency.max-concurrent-requests",
            "gemgate.chat.search-mode",
            "gemgate.chat.search-prompt",
            "gemgate.chat.random-string",
            "gemgate.chat.random-string-length",
            "gemgate.chat.enable-thinking",
            "gemgate.chat.thought-display",
            "gemgate.chat.disable-safety-filtering",
            "gemgate.chat.safety-thresholds");

    /** A saved runtime value that the environment or a system property overrides. */
    public record Shadow(String path, ConfigLoader.Source winner, String envName) {
        /** For the operator, e.g. "saved, but the environment variable MAX_RETRY_NUM wins". */
        public String message() {
            if (winner == ConfigLoader.Source.SYSTEM_PROPERTY) {
                return path + ": saved, but the system property -D" + path + " wins until it is removed";
            }
            return path + ": saved, but the environment variable " + envName + " wins until it is removed";
        }
    }

    /**
     * The outcome of {@link #apply}: the new effective settings, the paths given, and those of them the environment
     * or a system property shadows.
     */
    public record Result(Settings settings, List<String> changed, List<Shadow> shadowed) {
        public Result {
            changed = List.copyOf(changed);
            shadowed = List.copyOf(shadowed);
        }

        public List<String> shadowedPaths() {
            return shadowed.stream().map(Shadow::path).toList();
        }
    }

    /**
     * One runtime setting for the admin API.
     *
     * @param value   the effective value (numbers, booleans, strings, lists of strings)
     * @param source  where the effective value comes from
     * @param envName its environment variable, or null
     * @param saved   the value saved at runtime, or null when none
     * @param shadowed a saved value exists but the environment or a system property wins
     */
    public record Entry(String path, String envName, Object value, ConfigLoader.Source source, Object saved,
            boolean shadowed) {
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", path);
            m.put("env", envName);
            m.put("value", value);
            m.put("source", source.label());
            m.put("saved", saved);
            m.put("shadowed", shadowed);
            return m;
        }
    }

    private final ConfigLoader.Sources sources;
    /** The boot settings: the parts read from disk at start (auth, model limits) are kept as they are. */
    private final Settings boot;
    private final StateStore store;
    private final RuntimePaths paths;
    private final List<Consumer<Settings>> listeners = new CopyOnWriteArrayList<>();
    private final List<Derived<?>> derived = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    private volatile Map<String, Object> overlay = Map.of();
    private volatile ConfigLoader.Layered layered;
    private volatile Settings current;

    private RuntimeSettings(ConfigLoader.Sources sources, Settings initial, StateStore store, List<String> paths) {
        this.sources = sources;
        this.boot = Objects.requireNonNull(initial, "initial");
        this.store = Objects.requireNonNull(store, "store");
        this.paths = new RuntimePaths(sources, paths);
    }

    /**
     * Settings that never change: for embedders and tests that built their {@link Settings} without keeping the
     * {@link ConfigLoader.Sources}. {@link #apply} answers 409; nothing is saved.
     */
    public static RuntimeSettings fixed(Settings settings) {
        RuntimeSettings rs = new RuntimeSettings(null, settings, StateStore.inMemory(), List.of());
        rs.current = settings;
        return rs;
    }

    /** {@link #create(ConfigLoader.Sources, Settings, StateStore, List)} with {@link #PATHS}. */
    public static RuntimeSettings create(ConfigLoader.Sources sources, Settings initial, StateStore store) {
        return create(sources, initial, store, PATHS);
    }

    /**
     * Registers the {@value #SECTION} section with {@code store} (restoring saved values: start-up only, it reads a
     * file) and computes the effective settings.
     *
     * @param initial what {@code ConfigLoader.load(sources)} returned; its password is kept as is
     */
    public static RuntimeSettings create(ConfigLoader.Sources sources, Settings initial, StateStore store,
            List<String> paths) {
        RuntimeSettings rs = new RuntimeSettings(Objects.requireNonNull(sources, "sources"), initial, store, paths);
        Map<String, Object> saved = new LinkedHashMap<>();
        store.register(SECTION, false, rs::snapshot, data -> {
            Map<String, Object> values = data.get("values") instanceof Map<?, ?> m ? cast(m) : null;
            if (values == null) {
                throw new IllegalArgumentException("no \"values\" object");
            }
            saved.putAll(values);
        });
        rs.restore(saved);
        return rs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private Map<String, Object> snapshot() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("values", new LinkedHashMap<>(overlay));
        return data;
    }

    /** Keeps the saved values that still validate; each dropped one gets a warning naming it and why. */
    private void restore(Map<String, Object> saved) {
        Map<String, Object> kept = new LinkedHashMap<>();
        boolean dropped = false;
        for (Map.Entry<String, Object> e : saved.entrySet()) {
            String path = e.getKey();
            if (!paths.contains(path)) {
                log.warn("ignoring the saved runtime setting {} = {}: it cannot be changed at runtime (any more)", path,
                        e.getValue());
                dropped = true;
                continue;
            }
            Map<String, Object> one = new HashMap<>();
            one.put(path, e.getValue());
            try {
                RuntimePaths.checkValueShape(path, e.getValue());
                ConfigLoader.layered(sources, one, boot);
                onTop(one);
                kept.put(path, e.getValue());
            } catch (ConfigError | ApiException ex) {
                log.warn("dropping the saved runtime setting {} = {}: it is no longer valid ({})", path, e.getValue(),
                        ex.getMessage());
                dropped = true;
            }
        }
        ConfigLoader.Layered l;
        try {
            l = ConfigLoader.layered(sources, kept, boot);
        } catch (ConfigError ex) {
            log.warn("dropping all saved runtime settings {}: together they are not valid ({})", kept, ex.getMessage());
            kept.clear();
            dropped = true;
            l = ConfigLoader.layered(sources, kept, boot);
        }
        synchronized (lock) {
            overlay = Collections.unmodifiableMap(kept);
            layered = l;
            current = l.settings();
        }
        for (String path : kept.keySet()) {
            ConfigLoader.Source src = l.source(path);
            if (src == ConfigLoader.Source.ENVIRONMENT || src == ConfigLoader.Source.SYSTEM_PROPERTY) {
                log.warn("runtime setting {}", new Shadow(path, src, l.envName(path)).message());
            } else {
                log.info("runtime setting {} = {} (saved at runtime)", path, kept.get(path));
            }
        }
        if (dropped) {
            store.markDirty(SECTION);
        }
    }

    /** The current effective settings. */
    public Settings current() {
        return current;
    }

    /** The runtime-changeable paths. */
    public List<String> paths() {
        return paths.list();
    }

    /** The values saved at runtime, by path (an immutable copy). */
    public Map<String, Object> saved() {
        return Map.copyOf(overlay);
    }

    /** Called with the new settings after every successful {@link #apply}, on the applying thread. Keep it short. */
    public void addListener(Consumer<Settings> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * An object built from the settings once per change (e.g. a model filter), not per request. {@code fn} also
     * validates: when it throws for new settings, {@link #apply} refuses the change with a 400. All derived objects
     * are built first and switched together, so {@code fn} must not read another derived supplier (it would see
     * the old value); derive from the {@link Settings} given.
     */
    public <T> Supplier<T> derive(Function<Settings, T> fn) {
        Derived<T> d = new Derived<>(fn);
        synchronized (lock) {
            d.value = fn.apply(current);
            derived.add(d);
        }
        return d;
    }

    private static final class Derived<T> implements Supplier<T> {
        final Function<Settings, T> fn;
        volatile T value;
        T pending;

        Derived(Function<Settings, T> fn) {
            this.fn = Objects.requireNonNull(fn, "fn");
        }

        void prepare(Settings s) {
            pending = fn.apply(s);
        }

        void commit() {
            value = pending;
            pending = null;
        }

        @Override
        public T get() {
            return value;
        }
    }

    /**
     * Changes settings: each key is a config path ({@code gemgate.rate-limit.per-minute}), the same without
     * {@code gemgate.}, or its environment name ({@code MAX_REQUESTS_PER_MINUTE}); a null value removes the runtime
     * value (the file or default applies again). All changes are validated together and applied together, or none.
     *
     * @throws ApiException 400 naming the setting, for an unknown or restart-only setting or an invalid value
     */
    public Result apply(Map<String, Object> changes) {
        if (sources == null) {
            throw new ApiException(new ApiError(409, "invalid_request_error", "runtime_settings_unavailable",
                    "this instance was started with fixed settings; change them in the configuration and restart",
                    null, 0));
        }
        if (changes == null || changes.isEmpty()) {
            throw new ApiException(ApiError.badRequest("no settings to change were given", null));
        }
        synchronized (lock) {
            Map<String, Object> next = new LinkedHashMap<>(overlay);
            Map<String, Object> given = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : changes.entrySet()) {
                String path = paths.pathOf(e.getKey());
                if (e.getValue() == null) {
                    next.remove(path);
                } else {
                    RuntimePaths.checkValueShape(path, e.getValue());
                    given.put(path, e.getValue());
                }
            }
            // Checked with the runtime values on top first: a value the environment shadows must still be valid, or
            // it would fail the next start once the environment variable is gone.
            ConfigLoader.Layered top = given.isEmpty() ? null : onTop(given);
            for (String path : given.keySet()) {
                next.put(path, RuntimePaths.normalized(top, path));
            }
            ConfigLoader.Layered l;
            try {
                l = ConfigLoader.layered(sources, next, boot);
            } catch (ConfigError e) {
                throw invalid(e, changes.keySet().iterator().next());
            }
            Settings s = l.settings();
            for (Derived<?> d : derived) {
                try {
                    d.prepare(s);
                } catch (RuntimeException e) {
                    derived.forEach(x -> x.pending = null);
                    throw new ApiException(ApiError.badRequest("invalid runtime settings: " + e.getMessage(), null));
                }
            }
            overlay = Collections.unmodifiableMap(next);
            layered = l;
            current = s;
            derived.forEach(Derived::commit);
            store.markDirty(SECTION);
            List<String> changed = new ArrayList<>();
            List<Shadow> shadowed = new ArrayList<>();
            for (String key : changes.keySet()) {
                String path = paths.pathOf(key);
                changed.add(path);
                ConfigLoader.Source src = l.source(path);
                if (given.containsKey(path)
                        && (src == ConfigLoader.Source.ENVIRONMENT || src == ConfigLoader.Source.SYSTEM_PROPERTY)) {
                    shadowed.add(new Shadow(path, src, l.envName(path)));
                }
            }
            log.info("runtime settings changed: {}", describeChange(changes.keySet()));
            for (Consumer<Settings> listener : listeners) {
                try {
                    listener.accept(s);
                } catch (RuntimeException e) {
                    log.error("a runtime settings listener failed; the change is applied but may not be in effect", e);
                }
            }
            return new Result(s, changed, shadowed);
        }
    }

    private String describeChange(Set<String> keys) {
        List<String> parts = new ArrayList<>();
        for (String key : keys) {
            String path = paths.pathOf(key);
            parts.add(path + " = " + (overlay.containsKey(path) ? overlay.get(path) : "(runtime value removed)"));
        }
        return String.join(", ", parts);
    }

    /** Maps {@code given} on top of every layer, so the given values are the ones validated. */
    private ConfigLoader.Layered onTop(Map<String, Object> given) {
        try {
            return ConfigLoader.layeredOnTop(sources, given, boot);
        } catch (ConfigError e) {
            throw invalid(e, given.keySet().iterator().next());
        }
    }

    private static ApiException invalid(ConfigError e, String fallbackParam) {
        return new ApiException(ApiError.badRequest(e.getMessage(), e.path() != null ? e.path() : fallbackParam));
    }

    /** Each runtime setting with its effective value and where it comes from, for the admin API. */
    public List<Entry> describe() {
        if (sources == null) {
            return List.of();
        }
        ConfigLoader.Layered l;
        Map<String, Object> saved;
        synchronized (lock) {
            l = layered;
            saved = overlay;
        }
        List<Entry> out = new ArrayList<>();
        for (String path : paths.list()) {
            ConfigLoader.Source src = l.source(path);
            boolean shadowed = saved.containsKey(path)
                    && (src == ConfigLoader.Source.ENVIRONMENT || src == ConfigLoader.Source.SYSTEM_PROPERTY);
            out.add(new Entry(path, l.envName(path), RuntimePaths.normalized(l, path), src, saved.get(path), shadowed));
        }
        return List.copyOf(out);
    }
}
