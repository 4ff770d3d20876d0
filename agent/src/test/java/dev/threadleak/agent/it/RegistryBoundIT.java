package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 40,000 short-lived threads: each is counted at its site, and none stays in the registry after it ends.
 * Most of its time is the OS starting threads; it runs beside the other ITs (they mostly wait).
 */
@Execution(ExecutionMode.CONCURRENT)
class RegistryBoundIT {
    private static final String APP = "dev.threadleak.agent.it.apps.ManyShortThreads";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void deadThreadsLeaveTheRegistryButStayCounted(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of("-Xmx256m", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, APP, "4", "10000");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("started 40000\n");

        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).as("interval=0: the exit dump only").hasSize(1);
        Snapshot dump = ChildJvm.readDump(dumps.get(0));
        assertThat(dump.summary().startsDropped()).as("dropped starts").isZero();
        assertThat(dump.summary().agentStarted()).isGreaterThanOrEqualTo(40_000);
        List<SiteInfo> sites = dump.sites().stream()
                .filter(s -> s.blame() >= 0 && s.blameFrame().className().equals(APP) && s.blameFrame().method().equals("startAndJoin"))
                .toList();
        assertThat(sites).as("one site for the short-lived threads").hasSize(1);
        assertThat(sites.get(0).started()).isEqualTo(40_000);
        assertThat(sites.get(0).blameFrame().line()).isEqualTo(ChildJvm.appLineOf("ManyShortThreads.java", "// SITE:"));
        assertThat(dump.threads()).as("live threads listed").hasSizeLessThan(50);
        assertThat(dump.threads()).noneMatch(t -> t.name().equals("short"));
    }
}
