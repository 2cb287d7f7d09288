package gemgate.core.config;

/**
 * A configuration problem found at boot. The message is written for the operator: it names the setting by its
 * environment name and config path, says what was expected and shows what was found, so it can be printed as is.
 */
public final class ConfigError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigError(String message) {
        super(message);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
    }
}
