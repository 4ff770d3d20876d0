package dev.threadleak.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 * Virtual thread start + join (JDK 21+: run with {@code -jvm <jdk25>/bin/java}); same three configurations
 * as {@link ThreadStartBench}. The module compiles for release 17, so {@code Thread.startVirtualThread} is
 * called through a constant MethodHandle (invokeExact of a static final handle is as fast as a direct call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class VirtualThreadStartBench {
    private static final MethodHandle START_VIRTUAL = startVirtual();

    @Param({"0", "64"})
    public int extraFrames;

    private final Runnable task = () -> { };

    @Setup
    public void verify(BenchmarkParams params) {
        if (START_VIRTUAL == null) {
            throw new IllegalStateException("virtual threads need JDK 21+; run JMH with -jvm <jdk25>/bin/java");
        }
        Configs.verify(params);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX})
    public Thread none() throws Throwable {
        return startJoin(extraFrames);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT)
    public Thread threadleak() throws Throwable {
        return startJoin(extraFrames);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.AGENT_ALL_STARTS)
    public Thread threadleakAll() throws Throwable {
        return startJoin(extraFrames);
    }

    @Benchmark
    @Fork(value = 2, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX}, jvmArgsAppend = Configs.JFR)
    public Thread jfr() throws Throwable {
        return startJoin(extraFrames);
    }

    private Thread startJoin(int frames) throws Throwable {
        if (frames > 0) return startJoin(frames - 1);
        Thread t = (Thread) START_VIRTUAL.invokeExact(task);
        t.join();
        return t;
    }

    static MethodHandle startVirtual() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (NoSuchMethodException | IllegalAccessException beforeJdk21) {
            return null;
        }
    }
}
