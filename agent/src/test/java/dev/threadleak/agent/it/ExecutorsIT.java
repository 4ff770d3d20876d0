package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Executors and their tasks: who built each pool, who submitted each stuck task, whether anyone shut it down. */
class ExecutorsIT {
    private static final String FAST = "sample=200ms,window=2s,blocked=1s,growth=10";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyExecutorKindIsListedWithItsConstructionSiteStateAndWorkers(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ExecutorKinds");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        Snapshot dump = ChildJvm.newestDump(dir);

        ExecutorInfo fixed = builtAt(dump, "fixed");
        assertThat(fixed.kind()).isEqualTo("java.util.concurrent.ThreadPoolExecutor");
        assertThat(fixed.state()).isEqualTo("RUNNING");
        assertThat(fixed.poolSize()).isEqualTo(2);
        assertThat(fixed.submitted()).isEqualTo(2);
        assertThat(fixed.completed()).isEqualTo(2);
        assertThat(fixed.queued()).isZero();
        assertThat(fixed.name()).isEqualTo("pool-1-thread-*");
        assertThat(fixed.idleSinceMs()).as("both workers wait for work").isBetween(fixed.createdAtMs(), dump.takenAtMs());
        ExecutorInfo scheduled = builtAt(dump, "scheduled");
        assertThat(scheduled.kind()).isEqualTo("java.util.concurrent.ScheduledThreadPoolExecutor");
        assertThat(scheduled.poolSize()).isEqualTo(1);
        assertThat(scheduled.submitted()).isEqualTo(1);
        ExecutorInfo forkJoin = builtAt(dump, "forkjoin");
        assertThat(forkJoin.kind()).isEqualTo("java.util.concurrent.ForkJoinPool");
        assertThat(forkJoin.poolSize()).isPositive();
        assertThat(forkJoin.submitted()).isEqualTo(1);
        ExecutorInfo cached = builtAt(dump, "cached");
        assertThat(cached.state()).isEqualTo("TERMINATED");
        assertThat(dump.executors()).as("the common pool: built by the JDK (in a class initializer), blamed on no one")
                .anyMatch(e -> e.kind().equals("java.util.concurrent.ForkJoinPool") && (e.site() < 0 || dump.site(e.site()).blame() < 0));
        if (jdk.feature() >= 21) {
            assertThat(builtAt(dump, "virtual").kind()).isEqualTo("java.util.concurrent.ThreadPerTaskExecutor");
            // the JDK's scheduler of virtual threads: its tasks are continuations, handed over at every start and
            // unpark, so they are not counted (the virtual threads are)
            ExecutorInfo carriers = dump.executors().stream()
                    .filter(e -> e.site() >= 0 && dump.site(e.site()).stack().get(0).toString().contains("java.lang.VirtualThread.createDefaultScheduler"))
                    .findFirst().orElseThrow(() -> new AssertionError("no virtual-thread scheduler in " + dump.executors()));
            assertThat(carriers.submitted()).as("not counted").isEqualTo(-1);
            assertThat(carriers.oldestQueuedMs()).isEqualTo(-1);
        }

        // workers name their executor, and their group blames the line that built it
        List<ThreadEntry> fixedWorkers = dump.threads().stream().filter(t -> t.executor() == fixed.id()).toList();
        assertThat(fixedWorkers).extracting(ThreadEntry::name).containsExactlyInAnyOrder("pool-1-thread-1", "pool-1-thread-2");
        ChildJvm.Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.stdout()).contains("2 live, 1 executors built @ dev.threadleak.agent.it.apps.ExecutorKinds.main(ExecutorKinds.java:"
                + ChildJvm.appLineOf("ExecutorKinds.java", "// KIND: fixed") + ")");
    }

    private static ExecutorInfo builtAt(Snapshot dump, String kind) throws Exception {
        String line = "ExecutorKinds.java:" + ChildJvm.appLineOf("ExecutorKinds.java", "// KIND: " + kind) + ")";
        return dump.executors().stream()
                .filter(e -> e.site() >= 0 && dump.site(e.site()).blameFrame().toString().endsWith(line))
                .findFirst().orElseThrow(() -> new AssertionError("no executor built at " + line + " in " + dump.executors()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void stuckTasksNameWhereTheyWereSubmittedAndWhereTheyWaitAndTheQueueStalls(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0," + FAST), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.StuckTasks", "4")) {
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stderr()).isEmpty();
        }
        Snapshot dump = ChildJvm.newestDump(dir);
        String submitted = "dev.threadleak.samples.StuckTasks.handle(StuckTasks.java:" + ChildJvm.lineOf("StuckTasks.java", "// LEAK:") + ")";
        String waits = "dev.threadleak.samples.StuckTasks.fetch(StuckTasks.java:" + ChildJvm.lineOf("StuckTasks.java", "// WAITS:") + ")";
        String built = "dev.threadleak.samples.StuckTasks.<clinit>(StuckTasks.java:" + ChildJvm.lineOf("StuckTasks.java", "// POOL:") + ")";

        Finding stuck = only(dump, Kind.STUCK_TASK);
        assertThat(stuck.title()).matches("2 tasks running for .* or more in pool ThreadPoolExecutor \"ingest-\\*\": parked on CountDownLatch.await");
        assertThat(dump.site(stuck.site()).blameFrame().toString()).isEqualTo(submitted);
        assertThat(stuck.evidence()).contains("submitted @ " + submitted, "stuck @ " + waits + ": parked on CountDownLatch.await (2 threads)");
        Finding stall = only(dump, Kind.QUEUE_STALL);
        assertThat(dump.site(stall.site()).blameFrame().toString()).isEqualTo(built);
        assertThat(stall.title()).matches("\\d+ tasks queued for up to .* in pool ThreadPoolExecutor \"ingest-\\*\", every worker busy");
        assertThat(dump.findings()).extracting(Finding::kind).as("the stuck workers are STUCK_TASK's, not LONG_BLOCKED's")
                .doesNotContain(Kind.LONG_BLOCKED);

        ExecutorInfo ingest = dump.executors().stream().filter(e -> e.name().equals("ingest-*")).findFirst().orElseThrow();
        assertThat(ingest.active()).isEqualTo(2);
        assertThat(ingest.queued()).isEqualTo(ingest.submitted() - 2);
        assertThat(ingest.oldestQueuedMs()).isGreaterThanOrEqualTo(1000);
        assertThat(ingest.idleSinceMs()).as("its workers are busy").isEqualTo(-1);

        ChildJvm.Result threads = ChildJvm.cli("report", "--threads", dir.toString());
        assertThat(threads.stdout()).containsPattern("   worker of ThreadPoolExecutor \"ingest-\\*\" built at " + java.util.regex.Pattern.quote(built)
                + ", running; task submitted at " + java.util.regex.Pattern.quote(submitted) + ", running for \\d");
    }

    /** CompletableFuture stages on a ForkJoinPool: their tasks' ages and submission site too. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void stuckForkJoinTasksNameWhereTheyWereSubmitted(Jdk jdk, @TempDir Path tmp) throws Exception {
        Snapshot dump = untilStuck(jdk, tmp, "StuckAsync", Kind.QUEUE_STALL);
        Finding stuck = only(dump, Kind.STUCK_TASK);
        String submitted = "dev.threadleak.agent.it.apps.StuckAsync.main(StuckAsync.java:" + ChildJvm.appLineOf("StuckAsync.java", "// ASYNC:") + ")";
        String waits = "dev.threadleak.agent.it.apps.StuckAsync.awaitReply(StuckAsync.java:" + ChildJvm.appLineOf("StuckAsync.java", "// WAITS:") + ")";
        assertThat(stuck.title()).matches("2 tasks running for .* in pool ForkJoinPool \"ForkJoinPool-\\d+-worker-\\*\": parked on CountDownLatch.await");
        assertThat(dump.site(stuck.site()).blameFrame().toString()).isEqualTo(submitted);
        assertThat(stuck.evidence()).contains("submitted @ " + submitted);
        assertThat(stuck.waitFrame()).isEqualTo(waits);
        // the three stages behind them: queued, none begun since some sample (a fork-join queue is not FIFO)
        Finding stall = only(dump, Kind.QUEUE_STALL);
        assertThat(stall.title()).matches("3 tasks queued, none begun for .* in pool ForkJoinPool \"ForkJoinPool-\\d+-worker-\\*\", every worker busy");
        assertThat(dump.site(stall.site()).blameFrame().toString())
                .isEqualTo("dev.threadleak.agent.it.apps.StuckAsync.main(StuckAsync.java:" + ChildJvm.appLineOf("StuckAsync.java", "// POOL:") + ")");
        assertThat(stall.evidence().get(0)).matches("3 queued, none begun for .*; all 2 workers busy; 5 submitted since the agent loaded");
    }

    /**
     * A periodic task stuck on a later run still names where it was scheduled (it runs many times from one
     * submission), beside a pool whose 10,000 tasks were mostly not captured.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPeriodicTaskStuckOnALaterRunNamesWhereItWasScheduled(Jdk jdk, @TempDir Path tmp) throws Exception {
        Snapshot dump = untilStuck(jdk, tmp, "StuckPeriodic");
        Finding stuck = only(dump, Kind.STUCK_TASK);
        String scheduled = "dev.threadleak.agent.it.apps.StuckPeriodic.main(StuckPeriodic.java:" + ChildJvm.appLineOf("StuckPeriodic.java", "// PERIODIC:") + ")";
        assertThat(stuck.title()).startsWith("1 task running for ");
        assertThat(dump.site(stuck.site()).blameFrame().toString()).isEqualTo(scheduled);
        assertThat(stuck.waitFrame()).isEqualTo("dev.threadleak.agent.it.apps.StuckPeriodic.poll(StuckPeriodic.java:"
                + ChildJvm.appLineOf("StuckPeriodic.java", "// WAITS:") + ")");
        ExecutorInfo busy = dump.executors().stream().filter(e -> e.submitted() == 10_000).findFirst().orElseThrow();
        assertThat(busy.completed()).isEqualTo(10_000);
    }

    /**
     * Submissions are sampled per submitting line, not only per executor: a task from a new line is captured even
     * after 10,022 submissions to its pool from another line (one in 256 per executor would have missed it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aStuckTaskFromANewLineOfABusyPoolNamesItsLine(Jdk jdk, @TempDir Path tmp) throws Exception {
        Snapshot dump = untilStuck(jdk, tmp, "StuckAfterMany");
        Finding stuck = only(dump, Kind.STUCK_TASK);
        String submitted = "dev.threadleak.agent.it.apps.StuckAfterMany.main(StuckAfterMany.java:" + ChildJvm.appLineOf("StuckAfterMany.java", "// STUCK:") + ")";
        assertThat(stuck.title()).startsWith("1 task running for ");
        assertThat(stuck.evidence()).contains("submitted @ " + submitted);
        assertThat(dump.site(stuck.site()).blameFrame().toString()).isEqualTo(submitted);
    }

    /** An application's ThreadPoolExecutor subclass is blamed where it is built, not on its constructors' super(...). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anExecutorSubclassIsBlamedWhereItIsBuilt(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.SubclassPool");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("built\n");
        Snapshot dump = ChildJvm.newestDump(dir);
        ExecutorInfo pool = dump.executors().stream().filter(e -> e.kind().endsWith("TunedIngestPool")).findFirst().orElseThrow();
        assertThat(dump.site(pool.site()).blameFrame().toString())
                .isEqualTo("dev.threadleak.agent.it.apps.SubclassPool.main(SubclassPool.java:" + ChildJvm.appLineOf("SubclassPool.java", "// BUILT:") + ")");
    }

    /**
     * Runs test app {@code app} (it prints "stuck" and runs until the file its argument names exists) until a dump has a
     * STUCK_TASK finding (and the {@code others}), stops it, and returns the newest dump.
     */
    private static Snapshot untilStuck(Jdk jdk, Path dir, String app, Kind... others) throws Exception {
        Path stop = dir.resolve("stop");
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=500ms," + FAST), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps." + app, stop.toString())) {
            List<Kind> kinds = new java.util.ArrayList<>(List.of(others));
            kinds.add(Kind.STUCK_TASK);
            ChildJvm.await("a dump with " + kinds, java.time.Duration.ofSeconds(30), () -> has(dir, kinds));
            Files.createFile(stop);
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stdout()).isEqualTo("stuck\n");
            assertThat(child.stderr()).isEmpty();
        }
        return ChildJvm.newestDump(dir);
    }

    /** True once the newest dump in {@code dir} has findings of all {@code kinds} (a dump rotated away meanwhile reads as not yet). */
    private static boolean has(Path dir, List<Kind> kinds) {
        try {
            return ChildJvm.newestDump(dir).findings().stream().map(Finding::kind).toList().containsAll(kinds);
        } catch (Exception | AssertionError notYet) {
            return false;
        }
    }

    private static Finding only(Snapshot dump, Kind kind) {
        List<Finding> found = dump.findings().stream().filter(f -> f.kind() == kind).toList();
        assertThat(found).as("%s findings in %s", kind, dump.findings()).hasSize(1);
        return found.get(0);
    }

    /** Task objects are never wrapped or replaced: the app checks what users rely on, with every submission captured. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void taskObjectsKeepTheirIdentity(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,submissions=all")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.TaskIdentity");
        assertThat(run.stdout()).isEqualTo("identity ok\n");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr()).isEmpty();
    }
}
