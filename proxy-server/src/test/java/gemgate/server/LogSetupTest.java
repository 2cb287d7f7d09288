package gemgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import gemgate.core.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {
    @TempDir
    Path tmp;

    @Test
    void theLogFileIsCreatedWithItsDirectoryAndRollsIntoDatedCompressedFiles() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.classic.Logger access = ctx.getLogger("gemgate.access");
        Path file = tmp.resolve("logs/sub/gemgate.log");
        try {
            LogSetup.apply(new Settings.Log(false, false, file, 1 << 20, 3, 10 << 20));
            assertThat(access.getEffectiveLevel()).as("ACCESS_LOG=false silences the access logger").isEqualTo(Level.OFF);
            LoggerFactory.getLogger("gemgate.test").info("hello file");
            Appender<?> async = root.getAppender(LogSetup.FILE_APPENDER + "-ASYNC");
            assertThat(async).isNotNull();
            async.stop(); // drains the queue into the file
            assertThat(Files.readString(file)).contains("INFO  test - hello file");
        } finally {
            root.detachAppender(LogSetup.FILE_APPENDER + "-ASYNC");
            access.setLevel(null);
        }
        assertThat(LogSetup.rolledPattern(file)).isEqualTo(tmp.resolve("logs/sub/gemgate-%d{yyyy-MM-dd}.%i.log.gz").toString());
        assertThat(LogSetup.rolledPattern(Path.of("/x/proxy.txt"))).isEqualTo("/x/proxy.txt-%d{yyyy-MM-dd}.%i.log.gz");
    }
}
