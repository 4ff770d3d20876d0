package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Sampling;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Periodic samples stay within their budget of a core: a JVM whose threads cost a sample more than 1% of the interval
 * is sampled less often, and its dumps and report say so; a small JVM keeps the interval it was given.
 */
class SampleBudgetIT {
    private static final String FAST = "sample=200ms,interval=1s,keep=1000";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void fiveThousandThreadsStretchTheIntervalAndTheDumpAndReportSaySo(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of("-Xss256k", ChildJvm.agent("dir=" + dir + "," + FAST), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.ManyParked", "5000", "60")) {
            ChildJvm.await("a dump whose sampling is stretched", Duration.ofSeconds(60), () -> stretched(dir) != null);
            Path dump = stretched(dir);
            Sampling sampling = ChildJvm.readDump(dump).sampling();
            assertThat(sampling.optionMs()).isEqualTo(200);
            assertThat(sampling.costMs()).as("a sample of 5,000 threads").isGreaterThanOrEqualTo(5);
            assertThat(sampling.everyMs()).as("1%% of a core: 100 times the cheaper of the last two samples").isGreaterThanOrEqualTo(500);
            ChildJvm.Result report = ChildJvm.cli("report", dump.toString());
            assertThat(report.stdout()).containsPattern("note: sampled every \\S+, not every 200ms \\(the sample option\\): a sample of these \\d+ threads took \\d+ ms of CPU");
            child.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSmallJvmIsSampledAtTheIntervalItWasGiven(Jdk jdk, @TempDir Path dir) throws Exception {
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + "," + FAST), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.ManyParked", "20", "4");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).hasSizeGreaterThanOrEqualTo(2);
        for (Path dump : dumps) {
            Snapshot s = ChildJvm.readDump(dump);
            assertThat(s.sampling().everyMs()).as("%s", dump).isEqualTo(200);
            assertThat(s.sampling().stretched()).isFalse();
        }
        assertThat(ChildJvm.cli("report", dumps.get(dumps.size() - 1).toString()).stdout()).doesNotContain("note: sampled every");
    }

    /** The newest dump in {@code dir} that says its sampling was stretched, or null. */
    private static Path stretched(Path dir) {
        List<Path> dumps = ChildJvm.dumps(dir);
        for (int i = dumps.size() - 1; i >= 0; i--) {
            try {
                if (ChildJvm.readDump(dumps.get(i)).sampling().stretched()) return dumps.get(i);
            } catch (Exception beingWritten) {
                // a dump is written to a temporary name and moved: a listed one is whole; anything else, try the next
            }
        }
        return null;
    }
}
