package gemgate.server.testutil;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Records every log event (message, arguments rendered, stack trace) from the moment it is opened, with the given
 * loggers set to the given level; restores the levels on close.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
    private final Map<Logger, Level> saved = new HashMap<>();
    private final Logger root;

    private LogCapture(Level level, String... loggers) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (String name : loggers) {
            Logger l = ctx.getLogger(name);
            saved.put(l, l.getLevel());
            l.setLevel(level);
        }
        setContext(ctx);
        setName("capture");
        start();
        root.addAppender(this);
    }

    /** Captures everything, with {@code loggers} (e.g. the root, "io.netty", "gemgate") at {@code level}. */
    public static LogCapture open(Level level, String... loggers) {
        return new LogCapture(level, loggers);
    }

    @Override
    protected void append(ILoggingEvent e) {
        e.prepareForDeferredProcessing();
        events.add(e);
    }

    /** Each event as "LEVEL logger - message" plus its stack trace, if any. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            String line = e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
                line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            out.add(line);
        }
        return out;
    }

    /** Messages of one logger. */
    public List<String> messages(String logger) {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            if (e.getLoggerName().equals(logger)) {
                out.add(e.getFormattedMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
        saved.forEach(Logger::setLevel);
    }
}
