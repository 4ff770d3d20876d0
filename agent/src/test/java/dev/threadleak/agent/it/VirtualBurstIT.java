package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bursts of virtual-thread starts, in the agent's quiet first second and after its set-up, on a 1 GiB heap: every start
 * is counted and every live thread is listed in the live count. A burst may outrun the agent's stack captures (said in
 * {@code stacksSkipped}), never its count.
 */
class VirtualBurstIT {
    private static final String APP = "dev.threadleak.agent.it.apps.VirtualBurst";

    static Stream<Arguments> bursts() {
        return ChildJvm.jdks().stream().flatMap(jdk -> Stream.of(
                Arguments.of(jdk, 200_000, "parked", "now"), Arguments.of(jdk, 200_000, "parked", "afterSetUp"),
                Arguments.of(jdk, 1_000_000, "short", "now"), Arguments.of(jdk, 1_000_000, "short", "afterSetUp")));
    }

    @ParameterizedTest(name = "{0}: {1} {2} {3}")
    @MethodSource("bursts")
    void noStartOfABurstGoesUncounted(Jdk jdk, int count, String kind, String when, @TempDir Path dir) throws Exception {
        assumeTrue(jdk.feature() >= 21, "virtual threads need JDK 21+");
        Finished run = ChildJvm.run(jdk, List.of("-Xmx1g", ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, APP, String.valueOf(count), kind, when);
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("started " + count + "\n");

        Snapshot exit = ChildJvm.readDump(ChildJvm.dumps(dir).get(0));
        assertThat(exit.summary().startsDropped()).as("starts not recorded").isZero();
        // the burst, the virtual-thread scheduler's carriers and the JDK's few helpers
        assertThat(exit.summary().agentStarted()).isBetween((long) count, count + 20L);
        if (kind.equals("parked")) assertThat(exit.summary().virtual()).as("live virtual threads").isEqualTo(count);
        int line = ChildJvm.appLineOf("VirtualBurst.java", "// SITE:");
        long atSite = exit.sites().stream().filter(s -> s.blame() >= 0 && s.blameFrame().className().equals(APP)
                && s.blameFrame().line() == line).mapToLong(SiteInfo::started).sum();
        // a start whose stack was skipped is placed by its key once keys exist, else nowhere: never at another line
        assertThat(atSite).isBetween(count - exit.summary().stacksSkipped(), (long) count);
    }
}
