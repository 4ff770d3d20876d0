package dev.threadleak.agent.it.apps;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One executor of each kind, each given work; the cached pool is shut down, the others are left running;
 * then the JVM exits (its exit dump lists them). Each construction line is marked {@code // KIND: <kind>}.
 */
public final class ExecutorKinds {
    private ExecutorKinds() {}

    /** Every executor made, kept as a service keeps its pools: an unreachable one may be collected before the dump. */
    private static final java.util.List<Object> KEPT = new java.util.ArrayList<>();

    public static void main(String[] args) throws Exception {
        ExecutorService fixed = Executors.newFixedThreadPool(2); // KIND: fixed
        ScheduledExecutorService scheduled = Executors.newScheduledThreadPool(1); // KIND: scheduled
        ForkJoinPool forkJoin = new ForkJoinPool(2); // KIND: forkjoin
        ExecutorService cached = Executors.newCachedThreadPool(); // KIND: cached
        fixed.submit(() -> "a").get();
        fixed.submit(() -> "b").get();
        scheduled.schedule(() -> "c", 1, TimeUnit.MILLISECONDS).get();
        forkJoin.submit(() -> "d").get();
        cached.submit(() -> "e").get();
        KEPT.addAll(java.util.List.of(fixed, scheduled, forkJoin, cached));
        cached.shutdown();
        cached.awaitTermination(10, TimeUnit.SECONDS);
        CompletableFuture.supplyAsync(() -> "f").get(); // the common pool
        if (Runtime.version().feature() >= 21) {
            ExecutorService perTask = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null); // KIND: virtual
            perTask.submit(() -> "g").get();
            KEPT.add(perTask);
        }
        System.out.println("ready");
        System.exit(0); // the pools' workers are not daemons
    }
}
