package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.threadleak.junit.fixtures.SettleWait;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain API in this JVM, without the agent: what any test framework would call. */
class ThreadLeaksTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void endThreads() throws InterruptedException {
        release.countDown();
        for (Thread t : started) t.join(10_000);
    }

    private Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        started.add(t);
        t.start();
        return t;
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            // end
        }
    }

    /** Waits (up to 10 s) for {@code t} to be in {@code state}. */
    private static void awaitState(Thread t, Thread.State state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != state) {
            assertThat(System.nanoTime() - deadline).as("%s still %s, not %s", t.getName(), t.getState(), state).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Test
    void findReturnsTheLeakedThreadAsData() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread leaked = start("api-leak", this::awaitRelease);
        awaitState(leaked, Thread.State.WAITING);

        List<LeakedThread> leaks = ThreadLeaks.find(ThreadLeaks.options().since(before).settle(Duration.ofMillis(50)));

        assertThat(leaks).singleElement().satisfies(t -> {
            assertThat(t.thread()).isSameAs(leaked);
            assertThat(t.name()).isEqualTo("api-leak");
            assertThat(t.tid()).isEqualTo(leaked.getId());
            assertThat(t.virtual()).isFalse();
            assertThat(t.daemon()).isTrue();
            assertThat(t.state()).isEqualTo("WAITING");
            assertThat(t.waitReason()).isEqualTo("parked on java.util.concurrent.CountDownLatch$Sync");
            assertThat(t.stack()).anySatisfy(e -> assertThat(e.getMethodName()).isEqualTo("awaitRelease"));
            // only the agent knows these
            assertThat(t.creationSite()).isNull();
            assertThat(t.creationStack()).isEmpty();
            assertThat(t.starter()).isNull();
            assertThat(t).hasToString("\"api-leak\" #" + leaked.getId() + " platform daemon WAITING (parked on java.util.concurrent.CountDownLatch$Sync)");
        });
    }

    @Test
    void aLeakedThreadIsAValueThatOnlyThisLibraryBuilds() {
        assertThat(LeakedThread.class.isRecord()).isFalse();
        assertThat(Modifier.isFinal(LeakedThread.class.getModifiers())).isTrue();
        assertThat(LeakedThread.class.getConstructors()).isEmpty(); // a new fact is a new constructor parameter

        LeakedThread model = parkedLeak();
        LeakedThread again = Describe.thread(model.thread(), Map.of()); // the same thread in the same wait, seen by another check
        assertThat(again).isEqualTo(model).hasSameHashCodeAs(model);
        assertThat(model.withStartedByTest("test X.y()")).isNotEqualTo(model);
    }

    @Test
    void waitsAreWordedAsTheAgentWordsThem() {
        Thread parked = start("parked", this::awaitRelease);
        Thread joiner = start("joiner", () -> {
            try {
                parked.join();
            } catch (InterruptedException e) {
                // end
            }
        });
        Object monitor = new Object();
        Thread blocked;
        synchronized (monitor) {
            blocked = start("blocked", () -> {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            });
            awaitState(blocked, Thread.State.BLOCKED);
            assertThat(reason(blocked)).isEqualTo("monitor enter on java.lang.Object@" + Integer.toHexString(System.identityHashCode(monitor))
                    + " owned by \"" + Thread.currentThread().getName() + "\"");
        }
        awaitState(joiner, Thread.State.WAITING);
        assertThat(reason(joiner)).isEqualTo("Thread.join");
        awaitState(parked, Thread.State.WAITING);
        assertThat(reason(parked)).isEqualTo("parked on java.util.concurrent.CountDownLatch$Sync");
    }

    @Test
    void aWaitInObjectWaitNamesItsMonitor() {
        Object monitor = new Object();
        Thread waiter = start("in-wait", () -> {
            synchronized (monitor) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    // end
                }
            }
        });
        awaitState(waiter, Thread.State.WAITING);
        try {
            assertThat(reason(waiter)).isEqualTo("Object.wait on java.lang.Object@" + Integer.toHexString(System.identityHashCode(monitor)));
        } finally {
            waiter.interrupt();
        }
    }

    private static String reason(Thread t) {
        return Describe.waitReason(t, t.getState(), List.of(t.getStackTrace()));
    }

    @Test
    void verifyNoneThrowsAThreadLeakErrorThatSaysHowToGetCreationSites() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread sleeper = start("sleeper", this::awaitRelease);
        awaitState(sleeper, Thread.State.WAITING);

        assertThatThrownBy(() -> ThreadLeaks.verifyNone(ThreadLeaks.options().since(before).settle(Duration.ofMillis(100))))
                .isInstanceOf(ThreadLeakError.class)
                .hasMessageStartingWith("1 thread leaked by the code under check (alive after it, not before it; still running after 100 ms)\n\n"
                        + "\"sleeper\" #" + sleeper.getId() + " platform daemon WAITING (parked on java.util.concurrent.CountDownLatch$Sync)\n")
                .hasMessageEndingWith("\n\n" + LeakReport.NO_AGENT)
                .satisfies(e -> assertThat(((ThreadLeakError) e).leaks()).extracting(LeakedThread::name).containsExactly("sleeper"));
    }

    /** One thread parked in awaitRelease, as the check describes it: the model for made-up leaks of thousands. */
    private LeakedThread parkedLeak() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread t = start("model-1", this::awaitRelease);
        awaitState(t, Thread.State.WAITING);
        return ThreadLeaks.find(ThreadLeaks.options().since(before).settle(Duration.ZERO)).get(0);
    }

    private static LeakedThread like(LeakedThread model, String name, long tid, String site) {
        return new LeakedThread(model.thread(), name, tid, model.virtual(), model.daemon(), model.state(), model.waitReason(),
                model.stack(), site, List.of(), null, null, null, null, null);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void tenThousandLeakedThreadsOfOneKindAreOneGroupOfAFewKilobytes() {
        LeakedThread model = parkedLeak();
        List<LeakedThread> leaks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) leaks.add(like(model, "worker-" + i, 1_000_000 + i, null));

        String message = LeakReport.message("test ManyTest.leaks()", leaks, Duration.ofMillis(100));

        assertThat(message.length()).isLessThan(8 * 1024);
        assertThat(message).startsWith("10,000 threads leaked by test ManyTest.leaks() (alive after it, not before it; still running after 100 ms)\n\n"
                        + "10,000 threads named worker-*, WAITING (parked on java.util.concurrent.CountDownLatch$Sync),"
                        + " now at dev.threadleak.junit.ThreadLeaksTest.awaitRelease(ThreadLeaksTest.java:")
                .contains("\n\n\"worker-0\" #1000000 platform daemon WAITING (parked on java.util.concurrent.CountDownLatch$Sync)\n    stack:\n")
                .contains("\n\n... and 9,997 more like them\n\n")
                .doesNotContain("more groups")
                .endsWith("\n\n" + LeakReport.NO_AGENT);
        assertThat(count(message, "\n\n\"worker-")).isEqualTo(3);
    }

    @Test
    void withTheAgentThreadsAreGroupedByCreationSiteAndOnlyTheTenBiggestGroupsAreShown() {
        LeakedThread model = parkedLeak();
        List<LeakedThread> leaks = new ArrayList<>();
        leaks.add(like(model, "odd-one", 1, "com.example.Odd.start(Odd.java:7)"));
        for (int site = 0; site < 9; site++) {
            for (int i = 1; i <= 5; i++) {
                leaks.add(like(model, "pool-" + site + "-thread-" + i, 100 * site + i, "com.example.Pools.start(Pools.java:" + (10 + site) + ")"));
            }
        }
        // one site, names of two shapes: still one group
        for (int i = 0; i < 4; i++) leaks.add(like(model, i % 2 == 0 ? "reader-" + i : "writer-" + i, 5000 + i, "com.example.Io.open(Io.java:3)"));
        leaks.add(like(model, "lone-a", 2, "com.example.Lone.start(Lone.java:1)"));
        leaks.add(like(model, "lone-b", 3, "com.example.Lone.start(Lone.java:2)"));

        String message = LeakReport.message("class Pools", leaks, Duration.ofMillis(100), true);

        assertThat(message).startsWith("52 threads leaked by class Pools")
                .contains("\n\n5 threads created at com.example.Pools.start(Pools.java:10), named pool-0-thread-*,"
                        + " WAITING (parked on java.util.concurrent.CountDownLatch$Sync):\n\n\"pool-0-thread-1\" #1 platform daemon WAITING")
                .contains("\n    created at: com.example.Pools.start(Pools.java:10)\n")
                .contains("\"pool-8-thread-3\" #803").doesNotContain("\"pool-8-thread-4\"")
                .contains("\n\n4 threads created at com.example.Io.open(Io.java:3), named reader-*, writer-*, WAITING")
                .contains("\n\n... and 1 more like them\n\n... and 3 more groups (3 threads)")
                .doesNotContain("odd-one").doesNotContain("lone-").doesNotContain(LeakReport.NO_AGENT);
        assertThat(count(message, " more like them")).isEqualTo(10);
        assertThat(count(message, "\n\n\"")).isEqualTo(30);
    }

    @Test
    void aLeakOfTwoThreadsOfOneNameFamilyReadsAsEver() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        for (Thread t : List.of(start("pair-1", this::awaitRelease), start("pair-2", this::awaitRelease))) {
            awaitState(t, Thread.State.WAITING);
        }

        ThreadLeakError error = catchThrowableOfType(ThreadLeakError.class,
                () -> ThreadLeaks.verifyNone(ThreadLeaks.options().since(before).settle(Duration.ZERO)));

        StringBuilder expected = new StringBuilder("2 threads leaked by the code under check (alive after it, not before it; still running after 0 ms)");
        for (LeakedThread t : error.leaks()) {
            expected.append("\n\n\"").append(t.name()).append("\" #").append(t.tid())
                    .append(" platform daemon WAITING (parked on java.util.concurrent.CountDownLatch$Sync)\n    stack:");
            int i = 0;
            do {
                expected.append("\n        at ").append(Describe.frame(t.stack().get(i)));
            } while (!t.stack().get(i++).getMethodName().equals("awaitRelease"));
            expected.append("\n        ... ").append(t.stack().size() - i).append(" more");
        }
        expected.append("\n\n").append(LeakReport.NO_AGENT);
        assertThat(error.leaks()).extracting(LeakedThread::name).containsExactlyInAnyOrder("pair-1", "pair-2");
        assertThat(error).hasMessage(expected.toString());
    }

    @Test
    void theThreadsStillRunningAfterAnInterruptAreListedUpToTen() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) names.add("\"stubborn-" + i + "\"");
        assertThat(LeakReport.firstOf(names)).startsWith("\"stubborn-0\", \"stubborn-1\", ")
                .endsWith(", \"stubborn-9\" and 9,990 more").doesNotContain("stubborn-10");
        assertThat(LeakReport.firstOf(names.subList(0, 2))).isEqualTo("\"stubborn-0\", \"stubborn-1\"");
    }

    @Test
    void threadsThatEndWithinTheSettleTimeAreNotLeaks() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread checker = Thread.currentThread();
        AtomicBoolean endedWhileTheCheckWaited = new AtomicBoolean();
        Thread shortLived = start("short-lived", () -> endedWhileTheCheckWaited.set(SettleWait.await(checker, "dev.threadleak.junit.ThreadLeaks.verifyNone")));

        ThreadLeaks.verifyNone(ThreadLeaks.options().since(before).settle(Duration.ofSeconds(10)));

        assertThat(endedWhileTheCheckWaited).isTrue();
        assertThat(shortLived.isAlive()).isFalse();
    }

    @Test
    void ignoresByNameGlobAndByCurrentFrame() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        start("grpc-default-executor-1", this::awaitRelease);
        start("worker-a", this::awaitRelease);
        start("other", this::awaitRelease);

        List<LeakedThread> leaks = ThreadLeaks.find(ThreadLeaks.options().since(before).settle(Duration.ZERO)
                .ignoreNames("grpc-*", "worker-?").ignoreRunningIn("*.ThreadLeaksTest.nothingRunsHere"));
        assertThat(leaks).extracting(LeakedThread::name).containsExactly("other");

        leaks = ThreadLeaks.find(ThreadLeaks.options().since(before).settle(Duration.ZERO).ignoreRunningIn("dev.threadleak.junit.ThreadLeaksTest.awaitRelease"));
        assertThat(leaks).isEmpty();
    }

    @Test
    void withoutABaselineEveryThreadButTheCallerAndTheBuiltInOnesIsALeak() {
        start("no-baseline-leak", this::awaitRelease);
        List<LeakedThread> leaks = ThreadLeaks.find(ThreadLeaks.options().settle(Duration.ZERO));
        assertThat(leaks).extracting(LeakedThread::name).contains("no-baseline-leak")
                .doesNotContain(Thread.currentThread().getName(), "Reference Handler", "Finalizer", "Signal Dispatcher", "Common-Cleaner");
    }

    @Test
    void aNegativeSettleTimeIsRejected() {
        assertThatThrownBy(() -> ThreadLeaks.options().settle(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("settle must not be negative: PT-0.001S");
    }

    @Test
    void globsMatchWholeNamesWithStarAndQuestionMarkOnly() {
        assertThat(Ignores.glob("grpc-*").matcher("grpc-default-executor-0").matches()).isTrue();
        assertThat(Ignores.glob("grpc-*").matcher("my-grpc-x").matches()).isFalse();
        assertThat(Ignores.glob("w?").matcher("w1").matches()).isTrue();
        assertThat(Ignores.glob("w?").matcher("w12").matches()).isFalse();
        assertThat(Ignores.glob("a.b(c)[d]").matcher("a.b(c)[d]").matches()).isTrue();
        assertThat(Ignores.glob("a.b").matcher("axb").matches()).isFalse();
    }
}
