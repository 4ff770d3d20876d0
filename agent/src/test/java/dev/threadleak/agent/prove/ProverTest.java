package dev.threadleak.agent.prove;

import static dev.threadleak.agent.it.apps.ProveCases.take;
import static dev.threadleak.agent.it.apps.ProveCases.waitOn;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live heap dump of this JVM, proved: consumers of a queue nobody else holds and waiters on a future nobody else holds
 * are proven; the workers of a pool a static field holds, a waiter whose queue a live producer holds, and a sleeper
 * are not.
 */
class ProverTest {
    /** A live pool: its workers wait for work that can still come. */
    private static ExecutorService livePool;
    /** A scheduler a static holds: someone can still shut it down. */
    private static ScheduledExecutorService liveScheduler;
    /** A queue a live thread can still offer to. */
    private static BlockingQueue<Object> heldQueue;
    /**
     * The names of the threads this test starts. They are found again by name (the JDK's list of threads, which the proof
     * does not follow), never held: a thread the test held could be interrupted, so it would not be proven.
     */
    private static final java.util.Set<String> NAMES = java.util.Set.of("abandoned-consumer", "future-waiter", "held-consumer", "sleeper",
            "monitor-waiter", "held-monitor-waiter", "joiner", "deadlock-1", "deadlock-2");

    @TempDir
    Path tmp;

    @AfterEach
    void stopThreads() throws InterruptedException {
        List<Thread> mine = ours();
        for (Thread t : mine) t.interrupt();
        for (Thread t : mine) t.join(10_000);
        if (livePool != null) livePool.shutdownNow();
        if (liveScheduler != null) liveScheduler.shutdownNow();
        stopForgotten = true;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().endsWith("-scheduler") && !t.getName().startsWith("live")) t.join(10_000);
        }
    }

    @Test
    void waitersOnWhatNothingElseReachesAreProvenAndLiveOnesAreNot() throws Exception {
        stopForgotten = false;
        abandonQueueWithConsumers(3);
        abandonFutureWithWaiters(2);
        livePool = Executors.newFixedThreadPool(2, r -> named(r, "live-pool"));
        livePool.submit(() -> { });
        livePool.submit(() -> { });
        abandonScheduler();
        abandonSchedulerHoldingAnother();
        liveScheduler = Executors.newScheduledThreadPool(1, r -> named(r, "live-scheduler"));
        liveScheduler.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
        heldQueue = new LinkedBlockingQueue<>();
        start("held-consumer", () -> take(heldQueue));
        Thread sleeper = start("sleeper", () -> LockSupport.parkNanos(TimeUnit.MINUTES.toNanos(5)));
        abandonMonitorWithWaiter();
        abandonLockOrderDeadlock();
        heldMonitor = new Object();
        start("held-monitor-waiter", () -> waitOn(heldMonitor));
        start("joiner", () -> {
            try {
                sleeper.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitParked(List.of("abandoned-consumer", "future-waiter", "live-pool", "held-consumer", "sleeper", "forgotten-scheduler", "holding-scheduler", "held-scheduler", "live-scheduler", "monitor-waiter", "held-monitor-waiter", "joiner", "deadlock-"), 18);

        Path dump = tmp.resolve("heap.hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);
        Prover.Result result;
        try (HprofFile heap = HprofFile.open(dump)) {
            result = Prover.prove(heap);
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(tmp)) { // the index's file is deleted as it is opened
                assertThat(files).containsExactly(dump);
            }
        }
        // this JVM runs other tests: only the threads started here are judged
        java.util.Set<Long> mine = new java.util.HashSet<>();
        for (Thread t : ours()) mine.add(t.getId());
        List<String> proven = new ArrayList<>();
        for (Prover.Proven p : result.proven()) {
            for (Prover.HeapThread t : p.threads()) {
                if (mine.contains(t.tid()) || t.name().startsWith("live-pool")) proven.add(t.name() + " on " + p.blockerClass());
            }
        }
        assertThat(proven).containsExactlyInAnyOrder(
                "abandoned-consumer on java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
                "abandoned-consumer on java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
                "abandoned-consumer on java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject",
                "future-waiter on java.util.concurrent.CompletableFuture$Signaller",
                "future-waiter on java.util.concurrent.CompletableFuture$Signaller",
                "monitor-waiter on java.lang.Object",
                "deadlock-1 on java.util.concurrent.locks.ReentrantLock$NonfairSync",
                "deadlock-2 on java.util.concurrent.locks.ReentrantLock$NonfairSync");
        // a pool that only another forgotten pool's task holds is not proven: that task could still shut it down
        assertThat(result.forgotten()).extracting(f -> f.workers().get(0).name()).containsExactlyInAnyOrder("forgotten-scheduler", "holding-scheduler");
        assertThat(result.forgotten()).extracting(Prover.Forgotten::poolClass).containsOnly("java.util.concurrent.ScheduledThreadPoolExecutor");
        assertThat(result.notProven().keySet()).extracting(Prover.HeapThread::name).contains("live-scheduler", "held-scheduler")
                .doesNotContain("forgotten-scheduler", "holding-scheduler");
        // the three consumers share one queue's condition: one group
        Prover.Proven consumers = result.proven().stream().filter(p -> p.threads().get(0).name().equals("abandoned-consumer")).findFirst().orElseThrow();
        assertThat(consumers.threads()).hasSize(3);
        assertThat(consumers.threads().get(0).stack()).anyMatch(f -> f.className().equals(ProverTest.class.getName()) && f.method().startsWith("lambda$abandonQueueWithConsumers"));
        assertThat(result.notProven().entrySet()).anyMatch(e -> e.getKey().name().equals("held-consumer") && e.getValue().startsWith("not proven: "))
                .anyMatch(e -> e.getKey().name().equals("sleeper") && e.getValue().startsWith("not provable: a timed wait"))
                .anyMatch(e -> e.getKey().name().startsWith("live-pool") && e.getValue().startsWith("not proven: "))
                .anyMatch(e -> e.getKey().name().equals("held-monitor-waiter") && e.getValue().startsWith("not proven: "))
                .anyMatch(e -> e.getKey().name().equals("joiner") && e.getValue().startsWith("not provable here: Object.wait on a thread"));
    }

    /** A monitor a static holds: someone can still notify it. */
    private static Object heldMonitor;

    /** Two threads taking two locks in opposite orders, the locks held by nothing but their frames (interruptible: the test ends them). */
    private void abandonLockOrderDeadlock() {
        java.util.concurrent.locks.ReentrantLock a = new java.util.concurrent.locks.ReentrantLock(), b = new java.util.concurrent.locks.ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        start("deadlock-1", () -> lockBoth(a, b, bothHoldOne));
        start("deadlock-2", () -> lockBoth(b, a, bothHoldOne));
    }

    private static void lockBoth(java.util.concurrent.locks.ReentrantLock first, java.util.concurrent.locks.ReentrantLock second, CountDownLatch bothHoldOne) {
        try {
            first.lockInterruptibly();
            bothHoldOne.countDown();
            bothHoldOne.await();
            second.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A monitor only its waiter's frames hold (made here: no frame of the test's own thread holds it). */
    private void abandonMonitorWithWaiter() {
        Object monitor = new Object();
        start("monitor-waiter", () -> waitOn(monitor));
    }

    /** Set after the heap dump: the forgotten scheduler's own task then shuts it down (nothing else holds it). */
    private static volatile boolean stopForgotten;

    /**
     * A scheduler per client with a periodic task, never shut down by anyone else: its worker wakes each second, forever. Its
     * task holds it (a cycle only its own worker reaches), so the test can end it after the dump.
     */
    private static void abandonScheduler() {
        AtomicReference<ScheduledExecutorService> self = new AtomicReference<>();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> named(r, "forgotten-scheduler"));
        self.set(scheduler);
        scheduler.scheduleAtFixedRate(() -> {
            if (stopForgotten) self.get().shutdown();
        }, 1, 1, TimeUnit.SECONDS);
    }

    /** Two schedulers nothing else holds, the first one's task holding the second. */
    private static void abandonSchedulerHoldingAnother() {
        ScheduledExecutorService held = Executors.newScheduledThreadPool(1, r -> named(r, "held-scheduler"));
        held.scheduleAtFixedRate(() -> {
            if (stopForgotten) held.shutdown();
        }, 1, 1, TimeUnit.SECONDS);
        AtomicReference<ScheduledExecutorService> self = new AtomicReference<>();
        ScheduledExecutorService holding = Executors.newScheduledThreadPool(1, r -> named(r, "holding-scheduler"));
        self.set(holding);
        holding.scheduleAtFixedRate(() -> {
            if (stopForgotten) {
                held.shutdown();
                self.get().shutdown();
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private void abandonQueueWithConsumers(int n) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        for (int i = 0; i < n; i++) start("abandoned-consumer", () -> take(queue));
    }

    private void abandonFutureWithWaiters(int n) {
        CompletableFuture<Object> never = new CompletableFuture<>();
        for (int i = 0; i < n; i++) start("future-waiter", () -> {
            try {
                never.get();
            } catch (Exception interrupted) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The threads this test started and that are alive, found by name. */
    private static List<Thread> ours() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (NAMES.contains(t.getName())) out.add(t);
        }
        return out;
    }

    private static Thread named(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Polls until {@code count} threads whose names start with one of {@code prefixes} wait. */
    private static void awaitParked(List<String> prefixes, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            int waiting = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                Thread.State s = t.getState();
                if (prefixes.stream().anyMatch(p -> t.getName().startsWith(p)) && (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING)) waiting++;
            }
            if (waiting >= count) return;
            if (System.nanoTime() > deadline) throw new AssertionError("only " + waiting + " of " + count + " threads waiting");
            Thread.sleep(10); // poll interval
        }
    }
}
