package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leaks slower than the window, scaled down: one thread per 300 ms step against a 1 s window (so the window's
 * rule, +5 within it, cannot see them). The whole-history rule finds the leak with its line; a pool filling up, a
 * drained burst and a small cache are never findings, in any dump.
 */
class SlowLeaksIT {
    private static final String SCALED = "interval=500ms,keep=1000,sample=100ms,window=1s,blocked=0";
    private static final String STEP_MS = "300";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    static Stream<Arguments> healthy() {
        return ChildJvm.jdks().stream().flatMap(jdk -> Stream.of("fill", "burst", "cache").map(mode -> Arguments.of(jdk, mode)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSlowSteadyLeakBesideABusyPoolIsSiteGrowthWithItsLine(Jdk jdk, @TempDir Path dir) throws Exception {
        // it leaks until a dump has the finding: how soon depends on when the agent's first sample sees the site
        Path stop = dir.resolve("stop");
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + "," + SCALED), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.SlowLeaks", "leak", STEP_MS, stop.toString())) {
            ChildJvm.await("a dump with SITE_GROWTH", java.time.Duration.ofSeconds(60), () -> withSiteGrowth(dir) != null);
            Files.createFile(stop);
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stdout()).isEqualTo("leak done\n");
            assertThat(child.stderr()).isEmpty();
        }
        Path found = withSiteGrowth(dir);
        Snapshot dump = ChildJvm.readDump(found);
        String line = "dev.threadleak.agent.it.apps.SlowLeaks.main(SlowLeaks.java:" + ChildJvm.appLineOf("SlowLeaks.java", "// LEAK:") + ")";
        Finding growth = dump.findings().stream().filter(f -> f.kind() == Kind.SITE_GROWTH).findFirst()
                .orElseThrow(() -> new AssertionError("no SITE_GROWTH in " + dump.findings()));
        assertThat(dump.site(growth.site()).blameFrame().toString()).isEqualTo(line);
        assertThat(growth.title()).as("found by the whole-history rule").matches("\\d+ live threads from one creation site, \\+\\d+ in .*, still reaching new highs");
        assertThat(growth.evidence()).anyMatch(e -> e.matches("live threads of this site: \\d+ \\(\\d.* ago\\), .*, \\d+ \\(now\\)"))
                .anyMatch(e -> e.matches("rate: \\+[0-9.]+ threads/(min|hour)"));
        assertThat(dump.findings()).filteredOn(f -> f.kind() == Kind.RECREATED_POOLS)
                .allMatch(f -> dump.site(f.site()).blameFrame().toString().equals(line));
        assertThat(dump.findings()).extracting(Finding::kind).doesNotContain(Kind.GROWTH, Kind.LONG_BLOCKED);
        ChildJvm.Result report = ChildJvm.cli("report", found.toString());
        assertThat(report.stdout()).contains("still reaching new highs", "@ " + line, "long-blocked threads not judged (blocked=0)")
                .doesNotContain("waiting 0ms or more");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("healthy")
    void aFillingPoolADrainedBurstAndASmallCacheAreNeverFindings(Jdk jdk, String mode, @TempDir Path tmp) throws Exception {
        Path dir = run(jdk, tmp, mode);
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).as("periodic dumps and the exit dump, each judged on the history so far").hasSizeGreaterThanOrEqualTo(2);
        for (Path dump : dumps) assertThat(ChildJvm.readDump(dump).findings()).as("findings in %s", dump).isEmpty();
    }

    /** The newest dump in {@code dir} with a SITE_GROWTH finding, or null. */
    private static Path withSiteGrowth(Path dir) {
        List<Path> dumps = ChildJvm.dumps(dir);
        for (int i = dumps.size() - 1; i >= 0; i--) {
            try {
                if (ChildJvm.readDump(dumps.get(i)).findings().stream().anyMatch(f -> f.kind() == Kind.SITE_GROWTH)) return dumps.get(i);
            } catch (Exception | AssertionError notThere) {
                // being written or pruned meanwhile: look at the others
            }
        }
        return null;
    }

    private static Path run(Jdk jdk, Path dir, String mode) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + "," + SCALED)),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.SlowLeaks", mode, STEP_MS);
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo(mode + " done\n");
        assertThat(run.stderr()).isEmpty();
        return dir;
    }
}
