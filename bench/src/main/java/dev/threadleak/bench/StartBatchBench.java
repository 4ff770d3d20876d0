package dev.threadleak.bench;

import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Thread start cost in batches, valid where {@link ThreadStartBench} / {@link VirtualThreadStartBench} are
 * not. Start+join of one empty thread is a ping-pong: the starter parks in join() and the new thread (or
 * the virtual thread's carrier) must be woken, so the score is mostly wake-up latency, and anything that
 * delays join() by a microsecond (threadleak's hook, or a busy spin) lets the thread finish first and skips
 * a park/unpark pair — that made threadleak look 3x FASTER than no agent on JDK 25 (see RESULTS.md, A).
 *
 * <p>Here one invocation starts {@link #BATCH} threads whose bodies wait on a latch, then releases the
 * latch and joins them all: the starter never waits between starts, and the join phase parks O(1) times
 * per batch instead of once per thread. Score = wall time per thread (start + run + exit + join).
 * Two auxiliary counters (per iteration, JMH "events"; {@link JmhSummary} divides them by {@code starts}):
 * {@code starterCpuNs} = CPU time of the starting thread spent in the start loop (the hook runs there),
 * {@code processCpuNs} = whole-process CPU during the invocations (includes the agent thread's drain, JFR's
 * recorder, the new threads, GC and JIT).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@OperationsPerInvocation(StartBatchBench.BATCH)
public class StartBatchBench {
    static final int BATCH = 64;
    private static final MethodHandle START_VIRTUAL = VirtualThreadStartBench.startVirtual();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** platform, or virtual (JDK 21+: run with -jvm <jdk25>/bin/java). */
    @Param({"platform", "virtual"})
    public String kind;

    @Param({"0", "64"})
    public int extraFrames;

    private final Thread[] threads = new Thread[BATCH];
    private CountDownLatch gate;
    private final Runnable body = () -> {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    };
    private boolean virtual;

    @Setup
    public void verify(BenchmarkParams params) {
        virtual = kind.equals("virtual");
        if (virtual && START_VIRTUAL == null) {
            throw new IllegalStateException("virtual threads need JDK 21+; run JMH with -jvm <jdk25>/bin/java");
        }
        Configs.verify(params);
    }

    /** Per-iteration sums; reset at each iteration (JMH reads them at its end). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long starterCpuNs;
        public long processCpuNs;
        public long starts;

        @Setup(Level.Iteration)
        public void reset() {
            starterCpuNs = processCpuNs = starts = 0;
        }
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public Thread none(Cpu cpu) throws Throwable {
        return batch(cpu);
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.EMPTY)
    public Thread empty(Cpu cpu) throws Throwable {
        return batch(cpu);
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public Thread threadleak(Cpu cpu) throws Throwable {
        return batch(cpu);
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT_ALL_STARTS)
    public Thread threadleakAll(Cpu cpu) throws Throwable {
        return batch(cpu);
    }

    @Benchmark
    @Fork(value = 3, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.JFR)
    public Thread jfr(Cpu cpu) throws Throwable {
        return batch(cpu);
    }

    private Thread batch(Cpu cpu) throws Throwable {
        gate = new CountDownLatch(1);
        long p0 = OS.getProcessCpuTime();
        long c0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < BATCH; i++) threads[i] = start(extraFrames);
        long c1 = THREADS.getCurrentThreadCpuTime();
        gate.countDown();
        for (Thread t : threads) t.join();
        cpu.processCpuNs += OS.getProcessCpuTime() - p0;
        cpu.starterCpuNs += c1 - c0;
        cpu.starts += BATCH;
        return threads[BATCH - 1];
    }

    private Thread start(int frames) throws Throwable {
        if (frames > 0) return start(frames - 1);
        if (virtual) return (Thread) START_VIRTUAL.invokeExact(body);
        Thread t = new Thread(body);
        t.start();
        return t;
    }
}
