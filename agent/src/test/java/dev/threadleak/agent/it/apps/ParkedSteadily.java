package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts parked daemon threads one after another, about one a millisecond, for args[0] seconds (so that some start
 * while the agent starts its HTTP endpoint, a second after launch), prints "parked N", then lives args[1] seconds.
 */
public final class ParkedSteadily {
    private ParkedSteadily() {}

    public static void main(String[] args) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
        CountDownLatch never = new CountDownLatch(1);
        int n = 0;
        while (System.nanoTime() - end < 0) {
            Thread t = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "parked-" + n++);
            t.setDaemon(true);
            t.start();
            Thread.sleep(1); // pacing, so the starts span the endpoint's start
        }
        System.out.println("parked " + n);
        Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(args[1])));
    }
}
