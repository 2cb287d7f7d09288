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

    @Test
    void aLeakedBufferIsReported() {
        LeakGuard.drainReports();
        leakOne();
        java.util.List<String> reports = java.util.List.of();
        for (int i = 0; i < 20 && reports.isEmpty(); i++) {
            LeakGuard.provokeDetection();
            reports = LeakGuard.drainReports();
        }
        assertThat(reports).as("the guard sees a buffer that was never released, or it protects nothing").isNotEmpty();
    }

    private static void leakOne() {
        ByteBuf leaked = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeInt(42);
        // dropped without release on purpose
    }
}
