package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Two pools whose workers share one sampling key (the JDK's {@code ThreadPoolExecutor$Worker}): a fixed pool runs 100
 * tasks and is shut down, then a single-thread executor is built and handed one task that never ends, and never shut
 * down. Its worker must be placed at its own line, never at the first pool's. Prints "done" and exits (the exit dump
 * is what the test reads).
 */
public final class TwoPools {
    private static final CountDownLatch NEVER = new CountDownLatch(1);

    private TwoPools() {}

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // sampling by key begins with the agent's set-up, after its quiet first second
        for (int round = 0; round < 3; round++) { // three pools: the key's starts are drained and sampling could begin
            ExecutorService fixed = Executors.newFixedThreadPool(4);
            for (int i = 0; i < 100; i++) fixed.submit(() -> { }); // FIRST POOL
            fixed.shutdown();
            fixed.awaitTermination(10, TimeUnit.SECONDS);
            // longer than the agent's drain period (Registry.DRAIN_MILLIS): these starts are known before the next
            Thread.sleep(300);
        }
        ExecutorService leaked = Executors.newSingleThreadExecutor();
        leaked.submit(TwoPools::parked); // LEAKED POOL
        System.out.println("done");
        System.exit(0);
    }

    private static void parked() {
        try {
            NEVER.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
