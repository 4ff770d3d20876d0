package dev.threadleak.bench;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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

/**
 * The agent's per-thread costs in isolation, in-process, without starting threads: {@code accept} is the
 * hot path inlined into Thread.start (record + Throwable + CAS push); {@code acceptAndDrain} adds what the
 * agent thread later spends on the same record (stack decode, site interning, dead-thread removal), i.e.
 * the total CPU the agent spends per started thread. {@code newThrowable} is the stack capture alone.
 * The registry comes from the built agent jar (../agent/target/threadleak-agent.jar, relative to bench/),
 * loaded in its own class loader; the agent itself is not installed. java.lang is opened (as the agent
 * opens it for itself) so that the drain decodes each distinct backtrace once, as in the agent.
 *
 * <p>The StackWalker and backtrace-cache prototypes compared in RESULTS.md (section B) lived here until the
 * cache landed in the agent; they are in commit a6457bf.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {Configs.HEAP_MIN, Configs.HEAP_MAX, "--add-opens=java.base/java.lang=ALL-UNNAMED"})
public class HookBench {
    static final String AGENT_JAR = "../agent/target/threadleak-agent.jar";

    @Param({"0", "64"})
    public int extraFrames;

    private Consumer<Thread> registry;
    private AtomicReference<?> pending;
    private Runnable drain;
    private final Thread notStarted = new Thread(() -> { });

    @Setup
    @SuppressWarnings("unchecked")
    public void load() throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(AGENT_JAR).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> blame = loader.loadClass("dev.threadleak.agent.registry.Blame");
        Class<?> sites = loader.loadClass("dev.threadleak.agent.registry.SiteTable");
        Class<?> reg = loader.loadClass("dev.threadleak.agent.registry.Registry");
        Object b = blame.getConstructor(List.class).newInstance(List.of());
        Object s = sites.getConstructor(int.class, blame).newInstance(32, b);
        Object r = reg.getConstructor(sites).newInstance(s);
        registry = (Consumer<Thread>) r;
        Field f = reg.getDeclaredField("pending");
        f.setAccessible(true);
        pending = (AtomicReference<?>) f.get(r);
        java.lang.reflect.Method d = reg.getMethod("drain");
        drain = () -> {
            try {
                d.invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Benchmark
    public Object newThrowable() {
        return deep(extraFrames, 0);
    }

    @Benchmark
    public Object accept() {
        return deep(extraFrames, 1);
    }

    @Benchmark
    public Object acceptAndDrain() {
        return deep(extraFrames, 2);
    }

    private Object deep(int frames, int what) {
        if (frames > 0) return deep(frames - 1, what);
        switch (what) {
            case 0:
                return new Throwable();
            case 1:
                registry.accept(notStarted);
                return pending.getAndSet(null); // keep the pending stack from growing without bound
            default:
                registry.accept(notStarted);
                drain.run();
                return registry;
        }
    }
}
