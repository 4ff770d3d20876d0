package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.config.Options;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class RegistryTest {
    private final Registry registry = new Registry(new SiteTable(32, new Blame(List.of())));

    /**
     * The unit tests' JVM opens java.lang to them (the pom's argLine), not java.util.concurrent: creation stacks are
     * matched by their backtrace, and the keys say which JDK field they cannot read and what they do instead.
     */
    @Test
    void fallbacksSayWhatTheRegistryCannotReadAndWhatItDoesInstead() {
        registry.prepareSampling();
        assertThat(registry.fallbacks()).singleElement().asString().startsWith("cannot read ").contains("FutureTask.callable")
                .endsWith(": those starts and tasks are keyed by the class of their thread or of the JDK's wrapper, which many lines share,"
                        + " so their stacks are captured every time");
    }

    @Test
    void withoutADrainThePendingStartsAreBoundedAndTheRestCounted() {
        Thread notStarted = new Thread(() -> { });
        int starts = Registry.MAX_PENDING + 1_234;
        for (int i = 0; i < starts; i++) registry.accept(notStarted);
        assertThat(registry.droppedStarts()).isEqualTo(1_234);
        registry.drain();
        assertThat(registry.sites().totalStarted()).isEqualTo(Registry.MAX_PENDING);
        assertThat(registry.anyStartedAlive()).as("starts went unrecorded").isTrue();
    }

    @Test
    void pastTheBoundOfPendingStacksStartsAreRecordedWithoutTheirStack() {
        Registry everyStack = new Registry(new SiteTable(32, new Blame(List.of())), new ExecutorTable(Options.DEFAULT_SUBMISSIONS), 1);
        Thread notStarted = new Thread(() -> { });
        int starts = Registry.MAX_PENDING_STACKS + 1_000;
        for (int i = 0; i < starts; i++) everyStack.accept(notStarted);
        assertThat(everyStack.droppedStarts()).isZero();
        assertThat(everyStack.stacksSkipped()).isEqualTo(1_000);
        everyStack.drain();
        assertThat(everyStack.sites().totalStarted()).as("every start counted").isEqualTo(starts);
        assertThat(everyStack.sites().stacksCaptured()).isEqualTo(Registry.MAX_PENDING_STACKS);
    }

    @Test
    void aDrainThatFindsNothingWaitsTwiceAsLongUpToASecondAndAStartOrATaskBringsBackItsPace() {
        assertThat(List.of(registry.drainStarts(), registry.drainStarts(), registry.drainStarts(), registry.drainStarts()))
                .containsExactly(400L, 800L, Registry.IDLE_DRAIN_MILLIS, Registry.IDLE_DRAIN_MILLIS);
        registry.accept(new Thread(() -> { }));
        assertThat(registry.drainStarts()).as("a start came").isEqualTo(Registry.DRAIN_MILLIS);
        assertThat(registry.drainStarts()).isEqualTo(400L);
        Object executor = new Object();
        registry.executorTable().created(executor);
        registry.executorTable().submitted(executor, new Object());
        assertThat(registry.drainStarts()).as("a task came").isEqualTo(Registry.DRAIN_MILLIS);
    }

    @Test
    void whileTheDrainWaitsLongTaskTimesAreReadFromTheClockNotFromItsLastTick() {
        for (int i = 0; i < 3; i++) registry.drainStarts(); // nothing came: the drain waits longer than its pace
        long lastTick = System.currentTimeMillis();
        while (System.currentTimeMillis() < lastTick + 20) Thread.onSpinWait(); // the clock moves past the last tick
        Object executor = new Object();
        registry.executorTable().created(executor);
        registry.executorTable().running(executor, new Object());
        WorkerSlot slot = registry.executorTable().worker(Thread.currentThread().getId());
        assertThat(slot.taskStartedAtMs()).isGreaterThanOrEqualTo(lastTick + 20);
    }

    @Test
    void theFirstStartAfterTheDrainBecameIdleWakesIt() throws Exception {
        for (int i = 0; i < 3; i++) registry.drainStarts();
        Thread drainer = new Thread(() -> LockSupport.parkNanos(java.util.concurrent.TimeUnit.MINUTES.toNanos(1)), "test-drainer");
        registry.setDrainer(drainer);
        drainer.start();
        while (drainer.getState() != Thread.State.TIMED_WAITING) Thread.onSpinWait();
        registry.accept(new Thread(() -> { }));
        drainer.join(10_000);
        assertThat(drainer.isAlive()).as("woken by the start, not by its minute's wait").isFalse();
    }

    @Test
    void aStartThatFindsThePendingRecordsFullWaitsForTheDrainerInsteadOfBeingDropped() throws Exception {
        Thread drainer = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.park(); // woken by the start that finds the records full, as the agent's drain thread is
                registry.drainStarts();
            }
        }, "test-drainer");
        registry.setDrainer(drainer);
        drainer.start();
        try {
            Thread notStarted = new Thread(() -> { });
            int starts = Registry.MAX_PENDING + 50_000;
            for (int i = 0; i < starts; i++) registry.accept(notStarted);
            registry.drain();
            assertThat(registry.droppedStarts()).isZero();
            assertThat(registry.sites().totalStarted()).isEqualTo(starts);
        } finally {
            drainer.interrupt();
            drainer.join();
        }
    }

    @Test
    void aStuckDrainerCostsOneStartAStallThenStartsAreCountedAsDroppedUntilItDrainsAgain() {
        registry.setDrainer(new Thread(() -> { }, "never-started")); // never drains
        Thread notStarted = new Thread(() -> { });
        for (int i = 0; i < Registry.MAX_PENDING; i++) registry.accept(notStarted);
        long t0 = System.nanoTime();
        registry.accept(notStarted);
        assertThat(System.nanoTime() - t0).as("the first start past the bound waits for the drainer").isGreaterThanOrEqualTo(Registry.STALL_NANOS);
        long t1 = System.nanoTime();
        for (int i = 0; i < 100; i++) registry.accept(notStarted);
        assertThat(System.nanoTime() - t1).as("later ones do not").isLessThan(Registry.STALL_NANOS);
        assertThat(registry.droppedStarts()).isEqualTo(101);
        registry.drain();
        assertThat(registry.sites().totalStarted()).isEqualTo(Registry.MAX_PENDING);
    }

    @Test
    void aShortJvmHasSomethingToReportOnlyWhileAThreadItStartedIsAlive() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        registry.accept(t);
        assertThat(registry.anyStartedAlive()).isTrue();
        release.countDown();
        t.join();
        assertThat(registry.anyStartedAlive()).isFalse();
        assertThat(registry.sites().totalStarted()).as("asked at exit, it drains nothing: no creation stack decoded").isZero();
        registry.drain();
        assertThat(registry.sites().totalStarted()).isEqualTo(1);
        assertThat(registry.anyStartedAlive()).isFalse();
    }

    @Test
    void aShortJvmHasSomethingToReportWhileAnExecutorItBuiltRuns() {
        Object executor = new Object();
        registry.executorTable().created(executor);
        assertThat(registry.anyStartedAlive()).isTrue();
        registry.drain();
        assertThat(registry.anyStartedAlive()).as("its construction interned").isTrue();
        registry.executorTable().shutdown(executor);
        assertThat(registry.anyStartedAlive()).isFalse();
        java.lang.ref.Reference.reachabilityFence(executor);
    }

    @Test
    void aPendingRecordDoesNotKeepItsThreadReachable() throws Exception {
        Thread t = new Thread(() -> { });
        registry.accept(t);
        WeakReference<Thread> ref = new WeakReference<>(t);
        t = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10); // polling for the collection, not a timing assumption
        }
        assertThat(ref.get()).as("collected while its start record waits for the drain").isNull();
        registry.drain();
        assertThat(registry.sites().totalStarted()).as("the start is still counted").isEqualTo(1);
        assertThat(registry.liveRecords()).isEmpty();
    }
}
