package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sampled capture of creation stacks (option {@code starts}) places every start on its line: one leaking line
 * among 100 healthy call paths, on platform and virtual threads; and {@code starts=all} keeps every start's own
 * stack where the default may place a few starts at the line their sampling key was last seen at.
 */
class SampledStartsIT {
    private static final String APP = "dev.threadleak.agent.it.apps.SampledStarts";
    private static final String PREFIX = APP + ".";

    static Stream<Arguments> kinds() {
        return ChildJvm.jdks().stream().flatMap(jdk -> Stream.of(Arguments.of(jdk, "platform"), Arguments.of(jdk, "virtual")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void oneLeakingLineAmongAHundredHealthyPathsIsPlacedExactly(Jdk jdk, String kind, @TempDir Path tmp) throws Exception {
        Snapshot dump = run(jdk, tmp, kind, "hidden", 200, "");
        String leakLine = PREFIX + "hidden(SampledStarts.java:" + ChildJvm.appLineOf("SampledStarts.java", "// LEAK") + ")";
        String healthyLine = PREFIX + "descend(SampledStarts.java:" + ChildJvm.appLineOf("SampledStarts.java", "// HEALTHY") + ")";
        SiteInfo leak = onlySiteAt(dump, leakLine);
        assertThat(leak.started()).isEqualTo(201);
        assertThat(liveAt(dump, leak)).isEqualTo(201);
        assertThat(dump.findings()).filteredOn(f -> f.kind() == Kind.SITE_GROWTH).extracting(Finding::site).containsExactly(leak.id());
        // a dump lists the sites with live threads and the busiest others; every call path started 201 threads
        List<SiteInfo> healthy = dump.sites().stream().filter(s -> String.valueOf(s.blameFrame()).equals(healthyLine)).toList();
        assertThat(healthy).isNotEmpty().allMatch(s -> s.started() == 201, "201 starts each").allMatch(s -> liveAt(dump, s) == 0, "none live");
        assertThat(healthy.size() + dump.summary().sitesNotListed()).isGreaterThanOrEqualTo(100);
        assertThat(dump.summary().agentStarted()).as("every start counted").isBetween(100 * 201 + 201L, 100 * 201 + 201L + 5);
        // the healthy paths share one key (captured every time); the leak's lambda is a key of its own, found in the
        // JDK's thread (platform: its task field; virtual: its continuation's runner), so its starts are sampled
        assertThat(dump.summary().agentStarted() - dump.summary().stacksCaptured()).as("leaked starts placed by their key").isBetween(150L, 201L);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void allCapturesEveryStartSoALineThatSharesItsKeyIsExactAtOnce(Jdk jdk, String kind, @TempDir Path tmp) throws Exception {
        Snapshot dump = run(jdk, tmp, kind, "switch", 500, ",starts=all");
        SiteInfo a = onlySiteAt(dump, lineAt("// LINE A")), b = onlySiteAt(dump, lineAt("// LINE B"));
        assertThat(a.started()).isEqualTo(10);
        assertThat(liveAt(dump, a)).isZero();
        assertThat(b.started()).isEqualTo(500);
        assertThat(liveAt(dump, b)).isEqualTo(500);
        assertThat(dump.summary().stacksCaptured()).isEqualTo(dump.summary().agentStarted());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void byDefaultALineThatSharesItsKeyIsNeverPlacedAtTheOtherLine(Jdk jdk, String kind, @TempDir Path tmp) throws Exception {
        Snapshot dump = run(jdk, tmp, kind, "switch", 500, "");
        SiteInfo a = onlySiteAt(dump, lineAt("// LINE A")), b = onlySiteAt(dump, lineAt("// LINE B"));
        // the key's uses go on from 10: the first capture at line B is its 54th start (use 64); once it is drained the
        // key has named two lines and every later start is captured. The starts sampled out before that (placed at
        // line A by the key until then) may have come from either line: they are "not captured", never line A's
        long notCaptured = dump.threads().stream().filter(t -> !t.agentThread() && t.origin() == Origin.STARTED && t.site() < 0).count();
        assertThat(liveAt(dump, a)).as("line A's threads all ended: none of line B's is placed there").isZero();
        // at least 7 captured: its 54th, 118th, ..., 438th start (uses 64, 128, ..., 448) when no drain falls within the
        // 500 starts (a fast machine starts them all within one drain period); more once a drain has named line B
        assertThat(notCaptured).as("line B's starts sampled out before the key named two lines").isBetween(53L, 500L - 7);
        assertThat(liveAt(dump, b)).as("line B's captured starts: its 54th, then one in 64 or every one").isGreaterThanOrEqualTo(7);
        assertThat(liveAt(dump, b) + notCaptured).isEqualTo(500);
        // starts counted per site: line A's 10, and the ones its key counted there before it named line B; the starts
        // sampled out after that count in the total only
        assertThat(a.started()).isBetween(10L, 10L + 64);
        assertThat(a.started() + b.started()).isBetween(10L + liveAt(dump, b), 510L);
        assertThat(dump.summary().agentStarted()).isGreaterThanOrEqualTo(510);
    }

    /** Pool workers share the JDK's Worker class as their key: a later pool's worker is never placed at an earlier pool's line. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.threadleak.agent.it.ChildJvm#jdks")
    void aPoolWorkerIsPlacedAtItsOwnPoolsLineNotAnotherPoolsThatSharesItsKey(Jdk jdk, @TempDir Path dir) throws Exception {
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0"), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.TwoPools");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Snapshot dump = ChildJvm.assertHookNeverFailed(ChildJvm.newestDump(dir));
        List<ThreadEntry> workers = dump.threads().stream().filter(t -> t.name().startsWith("pool-")).toList();
        assertThat(workers).as("the leaked pool's worker alone is alive").hasSize(1);
        SiteInfo site = dump.site(workers.get(0).site());
        assertThat(site).as("the worker's creation site").isNotNull();
        assertThat(String.valueOf(site.blameFrame()))
                .isEqualTo("dev.threadleak.agent.it.apps.TwoPools.main(TwoPools.java:" + ChildJvm.appLineOf("TwoPools.java", "// LEAKED POOL") + ")");
    }

    private static String lineAt(String marker) throws Exception {
        return PREFIX + "main(SampledStarts.java:" + ChildJvm.appLineOf("SampledStarts.java", marker) + ")";
    }

    /** Runs the app's two phases (the second after a dump, i.e. a drain, followed the first) and reads the exit dump. */
    private static Snapshot run(Jdk jdk, Path dir, String kind, String mode, int rounds, String options) throws Exception {
        assumeTrue(kind.equals("platform") || jdk.feature() >= 21, "virtual threads need JDK 21+");
        Path go = dir.resolve("go");
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=300ms" + options), "-cp", ChildJvm.TEST_CP),
                APP, mode, kind, String.valueOf(rounds), go.toString())) {
            ChildJvm.await("phase 1", Duration.ofSeconds(60), () -> child.stdout().contains("phase 1 done"));
            long phase1DoneMs = System.currentTimeMillis();
            ChildJvm.await("a dump after phase 1", Duration.ofSeconds(60), () -> ChildJvm.dumps(dir).stream().anyMatch(d -> takenAt(d) > phase1DoneMs));
            Files.createFile(go);
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stdout()).isEqualTo("phase 1 done\ndone\n");
        }
        return ChildJvm.assertHookNeverFailed(ChildJvm.newestDump(dir));
    }

    private static long takenAt(Path dump) {
        try {
            return ChildJvm.readDump(dump).takenAtMs();
        } catch (Exception | AssertionError beingWritten) {
            return 0;
        }
    }

    private static SiteInfo onlySiteAt(Snapshot dump, String line) {
        List<SiteInfo> at = dump.sites().stream().filter(s -> String.valueOf(s.blameFrame()).equals(line)).toList();
        assertThat(at).as("sites blaming %s in %s", line, dump.sites()).hasSize(1);
        return at.get(0);
    }

    private static long liveAt(Snapshot dump, SiteInfo site) {
        return dump.threads().stream().filter(t -> t.site() == site.id()).count();
    }
}
