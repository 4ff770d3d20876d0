package dev.threadleak.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Starts and joins N threads whose sampling key is a JDK class: plain new Thread() (no task), and ThreadPoolExecutor workers of fresh pools. */
public final class JdkKeyStarts {
    private JdkKeyStarts() {}

    /** {@code plain|pools <n>}. */
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[1]);
        Thread.sleep(1500); // past the agent's quiet first second: sampling by key is on
        long t0 = System.nanoTime();
        if (a[0].equals("plain")) {
            for (int i = 0; i < n; i++) { Thread t = new Thread(); t.start(); t.join(); }
        } else {
            for (int i = 0; i < n; i++) { ExecutorService p = Executors.newSingleThreadExecutor(); p.submit(() -> { }); p.shutdown(); p.awaitTermination(1, TimeUnit.SECONDS); }
        }
        System.out.println((System.nanoTime() - t0) / n + " ns per start");
    }
}
