package gemgate.core.config;

/**
 * A configuration problem found at boot. The message is written for the operator: it names the setting by its
 * environment name and config path, says what was expected and shows what was found, so it can be printed as is.
 */
public final class ConfigError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public ConfigError(String message) {
        this(message, (Throwable) null);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
        this.path = null;
    }

    private ConfigError(String path, String message) {
        super(message);
        this.path = path;
    }

    /** An error about one setting, e.g. {@code gemgate.retry.max-retry-num}; {@link #path()} names it. */
    public static ConfigError forSetting(String path, String message) {
        return new ConfigError(path, message);
    }

    /** The config path of the offending setting, or null when the error is not about a single setting. */
    public String path() {
        return path;
    }
}
