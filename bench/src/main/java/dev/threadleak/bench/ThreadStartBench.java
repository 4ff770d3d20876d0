package dev.threadleak.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Platform thread start + join, the same work under three JVM configurations (one per method, each in its
 * own forks): no agent, threadleak, and JFR recording jdk.ThreadStart with stack traces (the JDK's own
 * creation-site recorder). {@code extraFrames} deepens the starter's stack: both recorders capture it, and
 * real applications start threads from far deeper stacks than a JMH benchmark method.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ThreadStartBench {
    @Param({"0", "64"})
    public int extraFrames;

    private final Runnable task = () -> { };

    @Setup
    public void verify(BenchmarkParams params) {
        Configs.verify(params);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public Thread none() throws InterruptedException {
        return startJoin(extraFrames);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public Thread threadleak() throws InterruptedException {
        return startJoin(extraFrames);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.JFR)
    public Thread jfr() throws InterruptedException {
        return startJoin(extraFrames);
    }

    private Thread startJoin(int frames) throws InterruptedException {
        if (frames > 0) return startJoin(frames - 1);
        Thread t = new Thread(task);
        t.start();
        t.join();
        return t;
    }
}
