package dev.threadleak.agent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;

/**
 * Two CompletableFuture stages run on a two-worker fork-join pool and wait for a reply that never comes, and three
 * more queue behind them; the program prints "stuck" and runs until the file args[0] exists, then exits (the test
 * waits for the agent to see them).
 */
public final class StuckAsync {
    private StuckAsync() {}

    public static void main(String[] args) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2); // POOL: built
        CountDownLatch reply = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            CompletableFuture.runAsync(() -> awaitReply(reply), pool); // ASYNC: handed to the pool
        }
        System.out.println("stuck");
        Path stop = Path.of(args[0]);
        while (!Files.exists(stop)) Thread.sleep(10); // polling for the stop file
        System.exit(0);
    }

    static void awaitReply(CountDownLatch reply) {
        try {
            reply.await(); // WAITS: no timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
