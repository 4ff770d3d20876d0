package dev.threadleak.bench;

import java.util.concurrent.CountDownLatch;

/** The body of a thread that a measurement keeps alive: it checks in, then waits to be released. */
final class Parked {
    private Parked() {}

    static Runnable until(CountDownLatch arrived, CountDownLatch release) {
        return () -> {
            arrived.countDown();
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // released by interruption: end
            }
        };
    }
}
