package dev.threadleak.corpus;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** CompletableFuture on a custom executor: a new executor per call never shut down, against one shared executor. */
public final class CompletableFutureExecutor {
    private static final ExecutorService SHARED = Executors.newFixedThreadPool(2);

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            ExecutorService executor = Executors.newFixedThreadPool(2); // LEAK: an executor per call
            CompletableFuture.supplyAsync(() -> n * 2, executor).thenApply(x -> x + 1).join();
        }, n -> CompletableFuture.supplyAsync(() -> n * 2, SHARED).thenApply(x -> x + 1).join());
    }
}
