package gemgate.server;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import gemgate.core.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the log settings to logback once the configuration is loaded: debug level, the access log switch, and
 * the optional rolling file (next to the console, which ConsoleLogConfigurator sets up). The file rolls daily and at
 * max-file-size into {@code name-YYYY-MM-DD.N.log.gz}; rolled files are kept max-history days and total-size-cap bytes.
 */
final class LogSetup {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";
    static final String FILE_APPENDER = "FILE";

    private LogSetup() {}

    /** @throws IOException when the log file's directory cannot be created */
    static void apply(Settings.Log s) throws IOException {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (!(f instanceof LoggerContext ctx)) {
            return; // another slf4j binding: its own configuration rules
        }
        if (s.debug()) {
            ctx.getLogger("gemgate").setLevel(Level.DEBUG);
        }
        ctx.getLogger("gemgate.access").setLevel(s.access() ? null : Level.OFF);
        if (s.file() != null) {
            addFile(ctx, s);
        }
    }

    private static void addFile(LoggerContext ctx, Settings.Log s) throws IOException {
        Path file = s.file().toAbsolutePath();
        Files.createDirectories(file.getParent());
        if (!Files.isWritable(file.getParent())) {
            throw new IOException("the log directory " + file.getParent() + " is not writable");
        }
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(ctx);
        appender.setName(FILE_APPENDER);
        appender.setFile(file.toString());

        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(ctx);
        policy.setParent(appender);
        policy.setFileNamePattern(rolledPattern(file));
        policy.setMaxFileSize(new FileSize(s.maxFileSize()));
        policy.setMaxHistory(s.maxHistory());
        policy.setTotalSizeCap(new FileSize(s.totalSizeCap()));
        policy.start();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();

        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder);
        appender.start();

        // Like the console: never make an event loop wait for the disk.
        AsyncAppender async = new AsyncAppender();
        async.setContext(ctx);
        async.setName(FILE_APPENDER + "-ASYNC");
        async.setQueueSize(4096);
        async.setNeverBlock(true);
        async.addAppender(appender);
        async.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(async);
    }

    /** {@code /x/gemgate.log} rolls into {@code /x/gemgate-%d{yyyy-MM-dd}.%i.log.gz}. */
    static String rolledPattern(Path file) {
        String name = file.getFileName().toString();
        String base = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
        return file.resolveSibling(base + "-%d{yyyy-MM-dd}.%i.log.gz").toString();
    }

    /** Flushes and stops the appenders (the async queues drain), for the end of a graceful shutdown. */
    static void stop() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.stop();
        }
    }
}
