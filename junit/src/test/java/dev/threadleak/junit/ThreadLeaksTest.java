package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain API in this JVM, without the agent: what any test framework would call. */
class ThreadLeaksTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> started = new java.util.ArrayList<>();

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

    @Test
    void findReturnsTheLeakedThreadAsData() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread leaked = start("api-leak", this::awaitRelease);

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
        });
    }

    @Test
    void verifyNoneThrowsAThreadLeakErrorThatSaysHowToGetCreationSites() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        Thread sleeper = start("sleeper", () -> {
            try {
                release.await();
                Thread.sleep(0);
            } catch (InterruptedException e) {
                // end
            }
        });

        assertThatThrownBy(() -> ThreadLeaks.verifyNone(ThreadLeaks.options().since(before).settle(Duration.ofMillis(100))))
                .isInstanceOf(ThreadLeakError.class)
                .hasMessageStartingWith("1 thread leaked by the code under check (alive after it, not before it; still running after 100 ms)\n\n"
                        + "\"sleeper\" #" + sleeper.getId() + " platform daemon WAITING (parked on java.util.concurrent.CountDownLatch$Sync)\n")
                .hasMessageEndingWith("\n\n" + LeakReport.NO_AGENT)
                .satisfies(e -> assertThat(((ThreadLeakError) e).leaks()).extracting(LeakedThread::name).containsExactly("sleeper"));
    }

    @Test
    void threadsThatEndWithinTheSettleTimeAreNotLeaks() {
        ThreadLeaks.Baseline before = ThreadLeaks.baseline();
        start("short-lived", () -> {
            try {
                Thread.sleep(150);
            } catch (InterruptedException e) {
                // end
            }
        });
        ThreadLeaks.verifyNone(ThreadLeaks.options().since(before).settle(Duration.ofSeconds(10)));
        assertThat(started.get(0).isAlive()).isFalse();
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
