package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.registry.LongMap;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reads the threads of this JVM: {@link #PARKED} parked on a latch, the test's own, the JVM's. */
class PlatformThreadsTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> parked = new ArrayList<>();

    /** Enough threads that a read of every stack takes more than one batch. */
    private static final int PARKED = PlatformThreads.STACK_BATCH + 2;

    @BeforeEach
    void park() throws InterruptedException {
        park(PARKED);
    }

    private void park(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(this::waitForRelease, "parked-" + i);
            t.setDaemon(true);
            t.start();
            parked.add(t);
        }
        long end = System.nanoTime() + 10_000_000_000L;
        while (parked.stream().anyMatch(t -> t.getState() != Thread.State.WAITING) && System.nanoTime() < end) Thread.sleep(5); // poll
        assertThat(parked).as("threads parked on the latch within 10 s").allMatch(t -> t.getState() == Thread.State.WAITING);
    }

    private void waitForRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void release() {
        release.countDown();
    }

    private Set<Long> parkedIds() {
        Set<Long> ids = new HashSet<>();
        for (Thread t : parked) ids.add(t.getId());
        return ids;
    }

    private static Set<Long> ids(LongMap<ThreadInfo> infos) {
        Set<Long> ids = new HashSet<>();
        for (ThreadInfo info : infos.values()) ids.add(info.getThreadId());
        return ids;
    }

    @Test
    void aDumpReadsEveryThreadWithItsWholeStack() {
        LongMap<ThreadInfo> infos = new LongMap<>();
        Set<Long> read = ids(new PlatformThreads(ManagementFactory.getThreadMXBean(), PlatformThreads.BUDGET_SAMPLE).readAll(infos, new WaitTracker()));
        assertThat(read).containsAll(parkedIds()).contains(Thread.currentThread().getId());
        ThreadInfo one = infos.get(parked.get(0).getId());
        assertThat(one.getStackTrace()).extracting(StackTraceElement::getMethodName).contains("await", "waitForRelease", "run");
    }

    @Test
    void aPeriodicSampleRereadsOnlyThreadsThatMayHaveMovedWithinItsBudgetRoundRobin() {
        PlatformThreads platform = new PlatformThreads(ManagementFactory.getThreadMXBean(), 2);
        WaitTracker waits = new WaitTracker();
        Set<Long> readOverall = new HashSet<>();
        int rounds = 0;
        // nothing observed yet: every thread may have moved; 2 stacks a sample, each sample the next 2
        while (!readOverall.containsAll(parkedIds()) && rounds++ < 200) {
            LongMap<ThreadInfo> infos = new LongMap<>();
            waits.beginRound();
            Set<Long> read = ids(platform.readMoved(infos, waits));
            waits.endRound();
            assertThat(read).hasSizeLessThanOrEqualTo(2);
            assertThat(ids(infos)).as("every thread's state, read or not").containsAll(parkedIds());
            readOverall.addAll(read);
        }
        assertThat(readOverall).as("round-robin reaches every parked thread").containsAll(parkedIds());

        // once observed in their wait, the parked threads are not read again while their wait lasts
        PlatformThreads fresh = new PlatformThreads(ManagementFactory.getThreadMXBean(), PlatformThreads.BUDGET_SAMPLE);
        LongMap<ThreadInfo> first = new LongMap<>();
        waits.beginRound();
        fresh.readAll(first, new WaitTracker());
        for (long id : parkedIds()) {
            ThreadInfo info = first.get(id);
            LockInfo lock = info.getLockInfo();
            waits.observe(id, info.getThreadState(), info.getStackTrace(), Sampler.frames(info.getStackTrace()),
                    lock == null ? null : lock.toString(), info.getWaitedCount() + info.getBlockedCount(), WaitReason.RUNNING, null, 0);
        }
        waits.endRound();
        LongMap<ThreadInfo> infos = new LongMap<>();
        waits.beginRound();
        Set<Long> read = ids(fresh.readMoved(infos, waits));
        waits.endRound();
        assertThat(read).as("still in the same wait: no stack read").doesNotContainAnyElementsOf(parkedIds());
        assertThat(read).as("this thread runs: read").contains(Thread.currentThread().getId());
    }

    /**
     * Every call that reads stacks reads at most {@link PlatformThreads#STACK_BATCH}: HotSpot holds a call's stacks in
     * native memory that the malloc arenas keep afterwards (2,000 stacks in one call grew RSS by 80 MB).
     */
    @Test
    void statesAndStacksAreReadInBatchesInDumpsAndSamplesAlike() throws InterruptedException {
        park(PlatformThreads.STATE_BATCH); // enough threads that their states take more than one call
        List<Integer> stackReads = new ArrayList<>(), stateReads = new ArrayList<>();
        ThreadMXBean real = ManagementFactory.getThreadMXBean();
        ThreadMXBean counting = (ThreadMXBean) Proxy.newProxyInstance(ThreadMXBean.class.getClassLoader(), new Class<?>[] {ThreadMXBean.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getThreadInfo") && args.length == 4) stackReads.add(((long[]) args[0]).length);
                    if (method.getName().equals("getThreadInfo") && args.length == 2) stateReads.add(((long[]) args[0]).length);
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LongMap<ThreadInfo> all = new LongMap<>();
        new PlatformThreads(counting, PlatformThreads.BUDGET_SAMPLE).readAll(all, new WaitTracker());
        assertThat(ids(all)).containsAll(parkedIds());
        assertThat(stackReads).as("a dump's reads").hasSizeGreaterThan(1).allMatch(n -> n <= PlatformThreads.STACK_BATCH);

        stackReads.clear();
        LongMap<ThreadInfo> moved = new LongMap<>();
        WaitTracker waits = new WaitTracker();
        waits.beginRound();
        Set<Long> read = ids(new PlatformThreads(counting, PlatformThreads.BUDGET_SAMPLE).readMoved(moved, waits));
        waits.endRound();
        assertThat(read).as("nothing observed yet: every thread is read").containsAll(parkedIds());
        assertThat(stackReads).as("a sample's reads").hasSizeGreaterThan(1).allMatch(n -> n <= PlatformThreads.STACK_BATCH);
        assertThat(stateReads).as("the states of a dump, then a sample").hasSizeGreaterThan(2).allMatch(n -> n <= PlatformThreads.STATE_BATCH);
    }

    /**
     * A call that waited long for its safepoint (a JVM whose thousands of ending threads must each be scheduled first) makes
     * the next calls read more stacks at once: fewer safepoints to wait for.
     */
    @Test
    void afterASlowCallTheNextReadMoreStacksAtOnceUpToABound() {
        List<Integer> stackReads = new ArrayList<>();
        long[] now = {0};
        ThreadMXBean real = ManagementFactory.getThreadMXBean();
        ThreadMXBean slow = (ThreadMXBean) Proxy.newProxyInstance(ThreadMXBean.class.getClassLoader(), new Class<?>[] {ThreadMXBean.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getThreadInfo") && args.length == 4) {
                        stackReads.add(((long[]) args[0]).length);
                        now[0] += PlatformThreads.SLOW_BATCH_NANOS + 1; // each call waited that long for its safepoint
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LongMap<ThreadInfo> all = new LongMap<>();
        new PlatformThreads(slow, PlatformThreads.BUDGET_SAMPLE, () -> now[0]).readAll(all, new WaitTracker());
        assertThat(ids(all)).containsAll(parkedIds());
        assertThat(stackReads).hasSize(2);
        assertThat(stackReads.get(0)).isEqualTo(PlatformThreads.STACK_BATCH);
        assertThat(stackReads.get(1)).as("the rest, in one call").isGreaterThan(1).isLessThanOrEqualTo(4 * PlatformThreads.STACK_BATCH);
    }

    @Test
    void aDumpRereadsOnlyTheThreadsThatMovedSinceTheirLastWholeRead() {
        PlatformThreads platform = new PlatformThreads(ManagementFactory.getThreadMXBean(), PlatformThreads.BUDGET_SAMPLE);
        WaitTracker waits = new WaitTracker();
        LongMap<ThreadInfo> first = new LongMap<>();
        waits.beginRound();
        Set<Long> read = ids(platform.readAll(first, waits));
        assertThat(read).as("nothing read whole yet").containsAll(parkedIds());
        for (long id : read) {
            ThreadInfo info = first.get(id);
            LockInfo lock = info.getLockInfo();
            waits.observe(id, info.getThreadState(), info.getStackTrace(), Sampler.frames(info.getStackTrace()),
                    lock == null ? null : lock.toString(), info.getWaitedCount() + info.getBlockedCount(), WaitReason.RUNNING, List.of(), 0);
        }
        waits.endRound();
        LongMap<ThreadInfo> second = new LongMap<>();
        waits.beginRound();
        Set<Long> reread = ids(platform.readAll(second, waits));
        waits.endRound();
        assertThat(ids(second)).as("every thread's state, read or not").containsAll(parkedIds());
        assertThat(reread).as("still in the wait read whole: not read again").doesNotContainAnyElementsOf(parkedIds());
        assertThat(reread).as("this thread runs: read").contains(Thread.currentThread().getId());
    }
}
