package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each finding kind comes out of the sample that has that leak, blamed on the sample's leaking line, and
 * the healthy service gets none. {@code check} exits 1 with findings, 0 without. Each case mostly waits (for its
 * sample's dumps to span 4 s of the agent's life, judged by the dumps' own clock, so a busy machine only makes it
 * wait longer): the class runs beside the others, as RegistryBoundIT does.
 */
@Execution(ExecutionMode.CONCURRENT)
class FindingsIT {
    /** Short sample interval and window so a few seconds of a sample show a trend; thresholds low to match. */
    private static final String FAST = "sample=200ms,window=2s,blocked=1s,growth=10";

    static Stream<Arguments> leaks() {
        return ChildJvm.jdks().stream().flatMap(jdk -> Stream.of(
                Arguments.of(jdk, "ExecutorPerRequest", List.of(Kind.SITE_GROWTH, Kind.RECREATED_POOLS, Kind.GROWTH)),
                Arguments.of(jdk, "BlockedConsumers", List.of(Kind.SITE_GROWTH, Kind.LONG_BLOCKED, Kind.DUPLICATE_STACKS)),
                Arguments.of(jdk, "LockOrderDeadlock", List.of(Kind.DEADLOCK, Kind.LONG_BLOCKED)),
                Arguments.of(jdk, "TimerPerCall", List.of(Kind.SITE_GROWTH, Kind.RECREATED_POOLS)),
                Arguments.of(jdk, "ClientPerCall", List.of(Kind.UNCLOSED_EXECUTORS, Kind.SITE_GROWTH, Kind.RECREATED_POOLS))));
    }

    /** Every fixed twin does the same work without the leak: no finding at all. */
    static Stream<Arguments> fixedTwins() {
        return ChildJvm.jdks().stream().flatMap(jdk -> Stream.of("ExecutorPerRequestFixed", "BlockedConsumersFixed",
                "LockOrderDeadlockFixed", "TimerPerCallFixed", "ClientPerCallFixed", "StuckTasksFixed").map(s -> Arguments.of(jdk, s)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixedTwins")
    void fixedTwinHasNoFinding(Jdk jdk, String sample, @TempDir Path tmp) throws Exception {
        // the newest dump only: with blocked=1s, a machine busy enough to stall a 50 ms wait for a second would
        // make an earlier one show a stuck task
        Snapshot dump = ChildJvm.newestDump(run(jdk, tmp, sample, FOUR_SECONDS));
        assertThat(dump.findings()).as("findings of %s", sample).isEmpty();
        assertThat(dump.summary().agentStarted()).as("the sample did its work").isPositive();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("leaks")
    void leakySampleGetsItsFindingsBlamedOnTheLeakingLine(Jdk jdk, String sample, List<Kind> expected, @TempDir Path tmp) throws Exception {
        Path dir = run(jdk, tmp, sample, d -> kinds(d).containsAll(expected));
        Snapshot dump = ChildJvm.newestDump(dir);
        List<Kind> kinds = dump.findings().stream().map(Finding::kind).toList();
        assertThat(kinds).containsAll(expected);
        String leakLine = sample + ".java:" + ChildJvm.lineOf(sample + ".java", "// LEAK:") + ")";
        for (Finding f : dump.findings()) {
            if (f.kind() == Kind.GROWTH) continue; // about the whole JVM, not a site
            assertThat(dump.site(f.site()).blameFrame().toString()).as("%s blame", f.kind()).endsWith(leakLine);
            assertThat(f.evidence()).isNotEmpty();
            assertThat(f.threads()).isPositive();
        }
        ChildJvm.Result check = ChildJvm.cli("check", dir.toString());
        assertThat(check.exitCode()).as(check.stderr()).isEqualTo(1);
        assertThat(check.stdout()).contains(dump.findings().size() + " findings:").contains(leakLine);
        ChildJvm.Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.stdout().indexOf("[" + dump.findings().get(0).severity() + "] " + dump.findings().get(0).kind()))
                .as("findings come before the groups").isPositive().isLessThan(report.stdout().indexOf(" live, "));
    }

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void deadlockIsSpelledOutAsACycle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Snapshot dump = ChildJvm.newestDump(run(jdk, tmp, "LockOrderDeadlock",
                d -> kinds(d).contains(Kind.DEADLOCK) && d.longBlocked().size() >= 2));
        assertThat(dump.deadlocks()).hasSize(1);
        String cycle = dump.deadlocks().get(0).describe();
        assertThat(cycle).matches("\"transfer-(1|2)\" waits for dev\\.threadleak\\.samples\\.Account@\\p{XDigit}+ held by \"transfer-(1|2)\"; "
                + "\"transfer-(1|2)\" waits for dev\\.threadleak\\.samples\\.Account@\\p{XDigit}+ held by \"transfer-(1|2)\"");
        ThreadEntry t = dump.threads().stream().filter(e -> e.name().equals("transfer-1")).findFirst().orElseThrow();
        assertThat(t.waitReason()).matches("monitor enter on Account@\\p{XDigit}+ owned by \"transfer-2\"");
        assertThat(t.waitingForMs()).isGreaterThanOrEqualTo(1000);
        assertThat(dump.longBlocked()).extracting(ThreadEntry::name).contains("transfer-1", "transfer-2");
        // both threads' stacks down to the line where each waits: the two lock orders on one screen
        // (javac puts the monitor enter of `synchronized (to) {` on the block's first line: the marker's next line)
        int deadlockLine = ChildJvm.lineOf("LockOrderDeadlock.java", "// DEADLOCK:") + 1;
        String stuck = "    at dev.threadleak.samples.LockOrderDeadlock.transfer(LockOrderDeadlock.java:" + deadlockLine + ")   <- stuck here";
        Finding deadlock = dump.findings().stream().filter(f -> f.kind() == Kind.DEADLOCK).findFirst().orElseThrow();
        assertThat(deadlock.evidence().stream().filter(stuck::equals)).hasSize(2);
        assertThat(deadlock.evidence()).anyMatch(l -> l.matches("\"transfer-1\" waits for .*Account@\\p{XDigit}+ held by \"transfer-2\"; holds .*Account@.*"));
        assertThat(t.waitFrameOrNull().toString()).endsWith("LockOrderDeadlock.java:" + deadlockLine + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void javaUtilConcurrentLockCycleIsADeadlockToo(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0," + FAST), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.LockCycle")) {
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stdout()).isEqualTo("deadlocked\n");
        }
        Snapshot dump = ChildJvm.newestDump(dir);
        assertThat(dump.findings()).extracting(Finding::kind).contains(Kind.DEADLOCK);
        assertThat(dump.deadlocks()).hasSize(1);
        assertThat(dump.deadlocks().get(0).describe()).contains("java.util.concurrent.locks.ReentrantLock$NonfairSync@");
        ThreadEntry t = dump.threads().stream().filter(e -> e.name().equals("lock-a-then-b")).findFirst().orElseThrow();
        assertThat(t.waitReason()).matches("parked on ReentrantLock\\.lock owned by \"lock-b-then-a\"");
        // the lock it holds is listed because the other thread is parked on it (read without a heap walk)
        ThreadEntry other = dump.threads().stream().filter(e -> e.name().equals("lock-b-then-a")).findFirst().orElseThrow();
        assertThat(t.synchronizersOwned()).containsExactly(other.parkBlocker());
        assertThat(t.synchronizersOwned()).singleElement().asString().startsWith("java.util.concurrent.locks.ReentrantLock$NonfairSync@");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void consumersShowTheirWaitAndHowLong(Jdk jdk, @TempDir Path tmp) throws Exception {
        Snapshot dump = ChildJvm.newestDump(run(jdk, tmp, "BlockedConsumers",
                d -> kinds(d).containsAll(List.of(Kind.LONG_BLOCKED, Kind.DUPLICATE_STACKS))));
        ThreadEntry first = dump.threads().stream().filter(e -> e.name().equals("consumer-1")).findFirst().orElseThrow();
        assertThat(first.waitReason()).isEqualTo("parked on LinkedBlockingQueue.take");
        assertThat(first.idle()).isFalse();
        assertThat(first.waitingForMs()).isBetween(1000L, dump.takenAtMs() - first.startedAtMs());
        String waits = "BlockedConsumers.java:" + ChildJvm.lineOf("BlockedConsumers.java", "// WAITS:") + ")";
        assertThat(first.waitFrameOrNull().toString()).endsWith(waits);
        Finding longBlocked = dump.findings().stream().filter(f -> f.kind() == Kind.LONG_BLOCKED).findFirst().orElseThrow();
        assertThat(longBlocked.evidence()).anyMatch(l -> l.startsWith("stuck @ dev.threadleak.samples.BlockedConsumers.consume(" + waits));
        Finding duplicates = dump.findings().stream().filter(f -> f.kind() == Kind.DUPLICATE_STACKS).findFirst().orElseThrow();
        assertThat(duplicates.evidence()).anyMatch(l -> l.startsWith("stuck @ dev.threadleak.samples.BlockedConsumers.consume(" + waits));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void healthyServiceHasNoFindingsAndIdleWorkersAreIdle(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = run(jdk, tmp, "HealthyService", FOUR_SECONDS);
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).hasSizeGreaterThanOrEqualTo(3); // periodic dumps while it runs
        boolean sawWorkers = false;
        for (Path p : dumps) {
            Snapshot dump = ChildJvm.readDump(p);
            assertThat(dump.findings()).as("findings in %s", p).isEmpty();
            assertThat(dump.longBlocked()).as("long-blocked in %s", p).isEmpty();
            List<ThreadEntry> workers = dump.threads().stream().filter(t -> t.name().startsWith("worker-")).toList();
            if (workers.size() == 4) sawWorkers = true;
            // busy or idle, never blocked: the fixed pool's workers wait in getTask between bursts
            assertThat(workers).allMatch(t -> !t.waitingNotIdle() || t.waitingForMs() < 1000, "workers are idle or busy");
        }
        assertThat(sawWorkers).as("a dump showed the 4 pool workers").isTrue();
        ChildJvm.Result check = ChildJvm.cli("check", dir.toString());
        assertThat(check.exitCode()).as(check.stderr()).isZero();
        assertThat(check.stdout()).contains("no findings");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void virtualThreadsWaitingOnAFutureAreFound(Jdk jdk, @TempDir Path tmp) throws Exception {
        assumeTrue(jdk.feature() >= 21, "the sample needs virtual threads; JDK 17 has none");
        Snapshot dump = ChildJvm.newestDump(run(jdk, tmp, "VirtualFutureWaiters",
                d -> kinds(d).containsAll(List.of(Kind.SITE_GROWTH, Kind.LONG_BLOCKED))));
        assertThat(dump.findings()).extracting(Finding::kind).contains(Kind.SITE_GROWTH, Kind.LONG_BLOCKED);
        ThreadEntry waiter = dump.threads().stream().filter(t -> t.name().equals("waiter-1")).findFirst().orElseThrow();
        assertThat(waiter.virtual()).isTrue();
        assertThat(waiter.waitReason()).isEqualTo("parked on CompletableFuture.get");
    }

    /** A dump taken 4 s or more after the agent loaded: long enough for each leaky sample's findings to show. */
    private static final Predicate<Snapshot> FOUR_SECONDS = d -> d.takenAtMs() - d.agentStartedAtMs() >= 4_000;

    private static List<Kind> kinds(Snapshot dump) {
        return dump.findings().stream().map(Finding::kind).toList();
    }

    /**
     * Runs the sample under the agent, a dump every 500 ms, until its newest dump satisfies {@code done} (however
     * long the busy machine makes that take, up to a minute), then stops it; returns the dump directory.
     */
    private static Path run(Jdk jdk, Path dir, String sample, Predicate<Snapshot> done) throws Exception {
        String options = "dir=" + dir + ",interval=500ms," + FAST;
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent(options), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples." + sample, "60")) {
            ChildJvm.await(sample + "'s dumps to show what the test reads", Duration.ofSeconds(60),
                    () -> !ChildJvm.dumps(dir).isEmpty() && done.test(newest(dir)));
            assertThat(child.isAlive()).as("%s still running; stderr: %s", sample, child.stderr()).isTrue();
            assertThat(child.stderr()).isEmpty();
        }
        return dir;
    }

    private static Snapshot newest(Path dir) {
        try {
            return ChildJvm.newestDump(dir);
        } catch (Exception e) {
            throw new AssertionError("reading the newest dump in " + dir, e);
        }
    }
}
