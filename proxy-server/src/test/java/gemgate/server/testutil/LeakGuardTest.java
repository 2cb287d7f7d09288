package gemgate.server.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class LeakGuardTest {
    @Test
    void paranoidLeakDetectionIsOnForEveryTest() {
        assertThat(System.getProperty("io.netty.leakDetection.level"))
                .as("tests must run with paranoid leak detection, or LeakGuard sees nothing")
                .isEqualToIgnoringCase("paranoid");
        assertThat(io.netty.util.ResourceLeakDetector.getLevel())
                .isEqualTo(io.netty.util.ResourceLeakDetector.Level.PARANOID);
        ByteBuf b = Unpooled.buffer(4);
        assertThat(b.release()).isTrue();
    }
}
