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

    /** Starts {@code n} daemon threads named {@code parked-N}, each parked until the latch returned is counted down; returns once all are. */
    static CountDownLatch daemons(int n) throws InterruptedException {
        CountDownLatch arrived = new CountDownLatch(n), release = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(until(arrived, release), "parked-" + i);
            t.setDaemon(true);
            t.start();
        }
        arrived.await();
        return release;
    }
}
