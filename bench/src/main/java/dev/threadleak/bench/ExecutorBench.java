package dev.threadleak.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the executor hooks cost: a batch of {@link #BATCH} tasks through a 2-worker ThreadPoolExecutor
 * (execute, run, count down), a {@code CompletableFuture.supplyAsync(..).join()} on the common pool, and
 * building and shutting down an executor. Each {@code mode} runs in its own forks: {@code none} (no agent),
 * {@code threadleak} (defaults: submission stacks captured for each executor's first 8, then one in 256) and
 * {@code all} (every submission's stack captured). {@code workNanos}: 0 = no-op tasks, ~10,000 = ~10 us tasks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ExecutorBench {
    /** Tasks per batch: per-task cost = score / BATCH. */
    public static final int BATCH = 1_000;

    @Param({"0", "10000"})
    public long workNanos;

    private ThreadPoolExecutor pool;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Configs.verify(params);
        pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        pool.prestartAllCoreThreads();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    private void batch() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BATCH);
        long work = workNanos;
        Runnable task = () -> {
            if (work > 0) spin(work);
            done.countDown();
        };
        for (int i = 0; i < BATCH; i++) pool.execute(task);
        done.await();
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() - end < 0) Thread.onSpinWait();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public void batchNone() throws InterruptedException {
        batch();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public void batchThreadleak() throws InterruptedException {
        batch();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT_ALL_SUBMISSIONS)
    public void batchThreadleakAll() throws InterruptedException {
        batch();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public Object completableNone() {
        return CompletableFuture.supplyAsync(() -> workNanos).join();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public Object completableThreadleak() {
        return CompletableFuture.supplyAsync(() -> workNanos).join();
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public void buildAndShutDownNone(Blackhole bh) {
        ExecutorService e = Executors.newFixedThreadPool(2);
        e.shutdown();
        bh.consume(e);
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public void buildAndShutDownThreadleak(Blackhole bh) {
        ExecutorService e = Executors.newFixedThreadPool(2);
        e.shutdown();
        bh.consume(e);
    }
}
