package dev.threadleak.agent.it.apps;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * After the agent's set-up, starts {@code count} short {@code kind} threads ("platform" or "virtual"), each holding a 64 KiB payload only
 * from its task, joins them all, then collects garbage until every payload is gone or {@code millis} pass.
 * Prints how many payloads are still reachable ("reachable N of M") and exits.
 */
public final class PayloadThreads {
    private PayloadThreads() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int count = Integer.parseInt(args[1]);
        long millis = Long.parseLong(args[2]);
        // past the agent's quiet first second: a JVM shorter than it whose threads all ended writes no exit dump,
        // which the test reads (a fast machine ran the 2,000 starts in under a second)
        AgentReady.await();
        List<WeakReference<byte[]>> payloads = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[64 * 1024];
            payloads.add(new WeakReference<>(payload));
            Runnable task = () -> payload[0]++;
            Thread t = kind.equals("virtual")
                    ? (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task)
                    : new Thread(task);
            if (!kind.equals("virtual")) t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        threads.clear();
        long end = System.nanoTime() + millis * 1_000_000L;
        int reachable;
        do {
            System.gc();
            reachable = 0;
            for (WeakReference<byte[]> p : payloads) {
                if (p.get() != null) reachable++;
            }
        } while (reachable > 0 && System.nanoTime() - end < 0);
        System.out.println("reachable " + reachable + " of " + count);
    }
}
