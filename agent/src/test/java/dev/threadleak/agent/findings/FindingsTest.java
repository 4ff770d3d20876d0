package dev.threadleak.agent.findings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.RunningTask;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules on hand-made snapshots: what makes a finding, and what must not. */
class FindingsTest {
    private static final Findings.Thresholds TH = new Findings.Thresholds(60_000, 20, 100);
    private static final List<Frame> SITE_STACK = List.of(new Frame("com.acme.Api", "handle", "Api.java", 42));
    private static final List<Frame> IDLE_STACK = List.of(new Frame("jdk.internal.misc.Unsafe", "park", null, -2));

    /** A snapshot at {@code t} seconds with {@code n} live threads of site 0, each with the given wait. */
    private static Snapshot at(long t, int n, String namePattern, String reason, boolean idle, long waitingForMs) {
        List<ThreadEntry> threads = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            threads.add(ThreadEntry.builder(100 + i, namePattern.replace("N", String.valueOf(i))).state("WAITING").stack(IDLE_STACK)
                    .origin(Origin.STARTED).site(0).waitReason(reason).idle(idle).waitingForMs(waitingForMs).build());
        }
        SiteInfo site = new SiteInfo(0, SITE_STACK, 0, false, 1000);
        return snapshot(t * 1000, 5, "WAITING", List.of(site), threads, List.of());
    }

    /** A snapshot at {@code takenAtMs} of {@code threads}, every one live and in {@code state}, measured against {@code baseline}. */
    private static Snapshot snapshot(long takenAtMs, int baseline, String state, List<SiteInfo> sites, List<ThreadEntry> threads,
                                     List<ExecutorInfo> executors) {
        int n = threads.size();
        Summary sum = Summary.builder().live(n).peak(n).jvmStarted(n).agentStarted(1000).baseline(baseline).states(Map.of(state, n)).build();
        return Snapshot.builder().pid(1).takenAtMs(takenAtMs).javaVersion("17").summary(sum).sites(sites).threads(threads)
                .blockedThresholdMs(TH.blockedMs()).executors(executors).build();
    }

    private static List<Kind> run(long[] times, int[] counts, String names, String reason, boolean idle) {
        History history = new History(60_000);
        List<Finding> last = List.of();
        for (int i = 0; i < times.length; i++) {
            Snapshot s = at(times[i], counts[i], names, reason, idle, 1000);
            History.Tick tick = History.tick(s);
            last = Findings.compute(s, tick, history, TH);
            history.add(tick, last);
        }
        return last.stream().map(Finding::kind).toList();
    }

    /**
     * GROWTH is judged once the baseline's sample is a window old: an application still starting at the first sample grows
     * past the baseline with new owners, healthy (CorpusIT saw a Jetty client's pool, started 1.2 s after the agent on a
     * loaded machine, raise GROWTH at growth=10). A rise across a whole window is one.
     */
    @Test
    void growthIsJudgedOnceTheBaselineIsAWindowOld() {
        assertThat(run(new long[] {0, 5, 10}, new int[] {10, 200, 210}, "worker-N", "idle: x", true)).doesNotContain(Kind.GROWTH);
        assertThat(run(new long[] {0, 5, 30, 65}, new int[] {10, 200, 300, 400}, "worker-N", "idle: x", true)).contains(Kind.GROWTH);
    }

    @Test
    void aSiteThatKeepsRisingIsSiteGrowthEvenWithADip() {
        assertThat(run(new long[] {0, 5, 10, 15, 20}, new int[] {3, 6, 5, 9, 12}, "worker-N", "idle: pool worker waiting for a task", true))
                .containsExactly(Kind.SITE_GROWTH);
    }

    @Test
    void aLeakOfAThreadEveryHalfHourIsSiteGrowthWithItsRatePerHour() {
        History history = new History(60_000);
        List<Finding> last = List.of();
        for (int i = 0; i <= 6 * 10; i++) { // a sample every 10 minutes for 10 hours
            Snapshot s = at(i * 600L, 1 + i / 3, "client-N", "idle: pool worker waiting for a task", true, 1000);
            History.Tick tick = History.tick(s);
            last = Findings.compute(s, tick, history, TH);
            history.add(tick, last);
        }
        assertThat(last).extracting(Finding::kind).containsExactly(Kind.SITE_GROWTH);
        assertThat(last.get(0).title()).isEqualTo("21 live threads from one creation site, +20 in 10h00m, still reaching new highs");
        assertThat(last.get(0).evidence()).contains("rate: +2.0 threads/hour")
                .anyMatch(e -> e.startsWith("live threads of this site: 1 (10h00m ago), "));
    }

    @Test
    void aBurstThatFallsBackOrAStableCountIsNot() {
        assertThat(run(new long[] {0, 5, 10, 15}, new int[] {2, 12, 3, 2}, "worker-N", "running", false)).isEmpty();
        assertThat(run(new long[] {0, 5, 10, 15}, new int[] {8, 8, 8, 8}, "worker-N", "idle: pool worker waiting for a task", true)).isEmpty();
        // risen by less than a climb's gain (8) across the window
        assertThat(run(new long[] {0, 5, 10, 15}, new int[] {1, 3, 5, 7}, "worker-N", "idle: pool worker waiting for a task", true)).isEmpty();
        // one sample is no trend
        assertThat(run(new long[] {0}, new int[] {50}, "worker-N", "idle: pool worker waiting for a task", true)).isEmpty();
    }

    @Test
    void poolNumbersThatKeepGrowingAreRecreatedPools() {
        assertThat(run(new long[] {0, 5, 10}, new int[] {2, 4, 6}, "pool-N-thread-1", "idle: pool worker waiting for a task", true))
                .containsExactly(Kind.RECREATED_POOLS);
        // numbered names that are not pools are left to SITE_GROWTH
        assertThat(run(new long[] {0, 5, 10}, new int[] {2, 4, 6}, "consumer-N", "idle: x", true)).isEmpty();
    }

    @Test
    void longBlockedAndDuplicateStacksCountOnlyThreadsStuckInANonIdleWait() {
        History history = new History(60_000);
        Snapshot stuck = at(0, 25, "consumer-N", "parked on LinkedBlockingQueue.take", false, 61_000);
        assertThat(Findings.compute(stuck, History.tick(stuck), history, TH)).extracting(Finding::kind)
                .containsExactly(Kind.LONG_BLOCKED, Kind.DUPLICATE_STACKS);
        Snapshot idle = at(0, 25, "consumer-N", "idle: pool worker waiting for a task", true, 61_000);
        assertThat(Findings.compute(idle, History.tick(idle), new History(60_000), TH)).isEmpty();
        Snapshot shortWait = at(0, 25, "consumer-N", "parked on LinkedBlockingQueue.take", false, 59_000);
        assertThat(Findings.compute(shortWait, History.tick(shortWait), new History(60_000), TH)).extracting(Finding::kind).containsExactly(Kind.DUPLICATE_STACKS);
    }

    /**
     * A sample at {@code t} seconds of {@code n} workers of one executor built at site 0 (max {@code maxPoolSize}, -1
     * none), each running a task begun {@code taskAgeMs} before.
     */
    private static Snapshot pool(long t, int n, int maxPoolSize, long taskAgeMs) {
        return pool(t, n, maxPoolSize, taskAgeMs, "sleeping");
    }

    /** ... each in {@code wait} (an "idle: ..." wait is waiting for work). */
    private static Snapshot pool(long t, int n, int maxPoolSize, long taskAgeMs, String wait) {
        List<ThreadEntry> threads = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            threads.add(ThreadEntry.builder(100 + i, "pool-1-thread-" + i).state("TIMED_WAITING").stack(SITE_STACK).origin(Origin.STARTED)
                    .site(1).waitReason(wait).idle(wait.startsWith("idle: ")).waitingForMs(0).executor(7)
                    .task(new RunningTask(t * 1000 - taskAgeMs, -1, -1)).build());
        }
        List<SiteInfo> sites = List.of(new SiteInfo(0, SITE_STACK, 0, false, 1), new SiteInfo(1, IDLE_STACK, -1, false, 1000));
        ExecutorInfo e = ExecutorInfo.builder(7, "java.util.concurrent.ThreadPoolExecutor").name("pool-1-thread-*").site(0).state("RUNNING")
                .poolSize(n).maxPoolSize(maxPoolSize).active(n).submitted(1000).completed(900).build();
        return snapshot(t * 1000, 1, "TIMED_WAITING", sites, threads, List.of(e));
    }

    private static List<Finding> series(java.util.function.IntFunction<Snapshot> sample, int samples) {
        History history = new History(60_000);
        List<Finding> last = List.of();
        for (int i = 0; i < samples; i++) {
            Snapshot s = sample.apply(i);
            History.Tick tick = History.tick(s);
            last = Findings.compute(s, tick, history, TH);
            history.add(tick, last);
        }
        return last;
    }

    @Test
    void onePoolFillingUnderRisingLoadIsNoFindingFastOrSlow() {
        // ThreadPoolExecutor(2, 24, SynchronousQueue): busy workers rise by 2 a sample to 20 and stay (short tasks)
        assertThat(series(i -> pool(i, Math.min(20, 2 + 2 * i), 24, 100), 15)).isEmpty();
        // the same stretched over 60 samples, and a cached pool (no bound) filling the same way
        assertThat(series(i -> pool(i, Math.min(20, 2 + i / 3), 24, 100), 70)).isEmpty();
        assertThat(series(i -> pool(i, Math.min(20, 2 + 2 * i), Integer.MAX_VALUE, 100), 15)).isEmpty();
    }

    @Test
    void anUnboundedPoolWhoseStuckWorkersKeepRisingIsSiteGrowth() {
        // a cached pool where each request's task never ends: its workers' tasks pass the blocked threshold
        List<Finding> found = series(i -> pool(i * 10, 1 + i, Integer.MAX_VALUE, 120_000), 15);
        assertThat(found).extracting(Finding::kind).contains(Kind.SITE_GROWTH);
        assertThat(found.stream().filter(f -> f.kind() == Kind.SITE_GROWTH).findFirst().orElseThrow().title())
                .startsWith("15 live threads from one creation site, +");
        // long tasks that wait for work (RMI's connections reading their next call) are neither stuck nor owners
        assertThat(series(i -> pool(i * 10, 1 + i, Integer.MAX_VALUE, 120_000, "idle: RMI connection waiting for its next call"), 15)).isEmpty();
        // a bounded pool whose tasks are stuck is one owner within its bound: STUCK_TASK says it, not SITE_GROWTH
        assertThat(series(i -> pool(i * 10, 1 + i, 24, 120_000), 15)).extracting(Finding::kind).doesNotContain(Kind.SITE_GROWTH);
    }

    @Test
    void aNumberedGroupFillingIsOneOwnerAndGroupsMadePerCallAreMany() {
        // an event-loop group of 12 whose loops start one by one: one pool number, one owner
        assertThat(run(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                "nioEventLoopGroup-2-N", "idle: x", true)).isEmpty();
        // a group per call: a new pool number each time
        assertThat(run(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                "eventLoop-N-1", "idle: x", true)).contains(Kind.SITE_GROWTH);
    }

    @Test
    void aFewLongLivedThreadsStartedOneByOneAreNoLeak() {
        // six publishers joining one a sample: fewer than a climb's gain, however fast
        assertThat(run(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, new int[] {1, 2, 3, 4, 5, 6, 6, 6}, "publisher-N", "idle: x", true)).isEmpty();
        // nine in nine samples is a leak
        assertThat(run(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, "publisher-N", "idle: x", true))
                .containsExactly(Kind.SITE_GROWTH);
    }

    @Test
    void aFindingCountsTheScheduledSamplesInARowThatRaisedIt() {
        History history = new History(60_000);
        List<Finding> raised = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // a thread a second: raised from its 9th on
            Snapshot s = at(i, 1 + i, "client-N", "idle: x", true, 1000);
            History.Tick tick = History.tick(s);
            List<Finding> found = Findings.compute(s, tick, history, TH);
            history.add(tick, found);
            raised.addAll(found);
        }
        assertThat(raised).extracting(Finding::raisedSamples).containsExactly(1, 2, 3, 4);
        assertThat(raised).extracting(Finding::raisedSinceMs).containsOnly(8_000L);
    }

    @Test
    void siteGrowthSaysWhereItsThreadsWait() {
        History history = new History(60_000);
        List<Finding> found = List.of();
        for (int i = 0; i < 10; i++) { // a thread per connection, each parked at Api.handle
            List<ThreadEntry> threads = new ArrayList<>();
            for (int n = 1; n <= 1 + i; n++) {
                threads.add(ThreadEntry.builder(100 + n, "conn-" + n).state("WAITING").stack(SITE_STACK).origin(Origin.STARTED).site(0)
                        .waitReason("parked on LinkedBlockingQueue.take").waitFrame(0).build());
            }
            Snapshot s = snapshot(i * 1000L, 1, "WAITING", List.of(new SiteInfo(0, SITE_STACK, 0, false, 1000)), threads, List.of());
            History.Tick tick = History.tick(s);
            found = Findings.compute(s, tick, history, TH);
            history.add(tick, found);
        }
        assertThat(found).singleElement().satisfies(f -> assertThat(f.evidence())
                .contains("stuck @ com.acme.Api.handle(Api.java:42): parked on LinkedBlockingQueue.take (10 threads)"));
    }

    @Test
    void connectionAndRequestNumbersAreNoPoolNumbers() {
        assertThat(run(new long[] {0, 5, 10}, new int[] {2, 4, 6}, "RMI TCP Connection(N)-127.0.0.1", "idle: x", true)).isEmpty();
        assertThat(run(new long[] {0, 5, 10}, new int[] {2, 4, 6}, "after-N-1", "idle: x", true)).isEmpty();
    }

    @Test
    void oneCachedPoolNumberingItsWorkersIsNoRecreatedPoolsButAPoolPerCallIs() {
        // gRPC's shared "grpc-default-executor-N": one executor whose name says executor, its number a worker's
        assertThat(series(i -> workers(i, 2 + 2 * i, "grpc-default-executor-N", n -> 7), 4)).isEmpty();
        // a pool per call, each worker named by a factory with one number: as many executors as numbers
        assertThat(series(i -> workers(i, 2 + 2 * i, "worker-N", n -> n), 4)).extracting(Finding::kind).containsExactly(Kind.RECREATED_POOLS);
    }

    /** {@code n} idle pool workers named {@code names} (N: 1 to n) at {@code t} seconds, worker N of executor {@code executorOf(N)}, all built at site 0. */
    private static Snapshot workers(long t, int n, String names, java.util.function.IntUnaryOperator executorOf) {
        List<ThreadEntry> threads = new ArrayList<>();
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        for (int i = 1; i <= n; i++) {
            threads.add(ThreadEntry.builder(100 + i, names.replace("N", String.valueOf(i))).state("WAITING").stack(IDLE_STACK).origin(Origin.STARTED)
                    .site(1).waitReason("idle: pool worker waiting for a task").idle(true).executor(executorOf.applyAsInt(i)).build());
            ids.add(executorOf.applyAsInt(i));
        }
        List<ExecutorInfo> executors = ids.stream().map(id -> ExecutorInfo.builder(id, "java.util.concurrent.ThreadPoolExecutor").site(0)
                .state("RUNNING").poolSize(1).maxPoolSize(Integer.MAX_VALUE).submitted(1).completed(1).idleSinceMs(0).build()).toList();
        List<SiteInfo> sites = List.of(new SiteInfo(0, SITE_STACK, 0, false, ids.size()), new SiteInfo(1, IDLE_STACK, -1, false, n));
        return snapshot(t * 1000, n, "WAITING", sites, threads, executors);
    }

    @Test
    void duplicateStacksNeedTheSameWaitSeenAgainNotAPoolAtWork() {
        Snapshot busy = at(0, 25, "worker-N", "sleeping", false, 0);
        assertThat(Findings.compute(busy, History.tick(busy), new History(60_000), TH)).isEmpty();
        Snapshot slowBackend = at(0, 25, "worker-N", "socket read", false, 10_000); // under a quarter of blocked (60 s)
        assertThat(Findings.compute(slowBackend, History.tick(slowBackend), new History(60_000), TH)).isEmpty();
    }

    @Test
    void ratesReadTheSameUnderEveryDefaultLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThat(Findings.perMinute(607, 60_000)).isEqualTo("607.0");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void blockedZeroTurnsTheWaitFindingsOff() {
        Snapshot waiting = at(100, 3, "consumer-N", "parked on LinkedBlockingQueue.take", false, 3_600_000);
        assertThat(Findings.compute(waiting, History.tick(waiting), new History(60_000), TH)).extracting(Finding::kind).contains(Kind.LONG_BLOCKED);
        Snapshot off = waiting.toBuilder().blockedThresholdMs(0).build();
        assertThat(off.longBlocked()).as("blocked=0: nothing is long-blocked").isEmpty();
        assertThat(Findings.compute(off, History.tick(off), new History(60_000), new Findings.Thresholds(0, 20, 100))).extracting(Finding::kind)
                .doesNotContain(Kind.LONG_BLOCKED, Kind.STUCK_TASK, Kind.QUEUE_STALL);
    }
}
