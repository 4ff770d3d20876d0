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
 * loaded in its own class loader; the agent itself is not installed.
 *
 * <p>{@code protoAccept} / {@code protoAcceptAndDrain} (param {@code capture}): the same hot path and drain
 * with the stack captured in other ways, prototyped in {@link CaptureProto} (a copy of Registry, SiteTable and
 * Blame: same sites, same blame — checked at set-up against today's capture). {@code capture=throwable} is
 * today's logic in the copy, for comparison with {@code accept}/{@code acceptAndDrain} above. The hook is
 * called from {@link FakeThread#start}, which the prototypes cut like Thread.start.
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

    /** The prototypes' state: one capture variant per trial (JMH adds this param only to the proto methods). */
    @State(Scope.Thread)
    public static class Proto {
        @Param({"throwable", "throwableDedup", "walkElements", "walkFrames", "walkFramesDedup"})
        public String capture;

        CaptureProto proto;

        @Setup
        public void setUp() throws Exception {
            proto = new CaptureProto(mode(capture), 32, List.of());
            verifySameSites();
        }

        static int mode(String capture) {
            return switch (capture) {
                case "throwable" -> CaptureProto.THROWABLE;
                case "walkElements" -> CaptureProto.WALK_ELEMENTS;
                case "walkFrames" -> CaptureProto.WALK_FRAMES;
                case "walkFramesDedup" -> CaptureProto.WALK_FRAMES_DEDUP;
                case "throwableDedup" -> CaptureProto.THROWABLE_DEDUP;
                default -> throw new IllegalArgumentException(capture);
            };
        }
    }

    /** Stands in for the hooked Thread.start: the prototypes cut frames up to and including it. */
    static final class FakeThread {
        private FakeThread() {}

        static void start(CaptureProto proto, Thread thread) {
            proto.accept(thread);
        }
    }

    @Benchmark
    public Object protoAccept(Proto p) {
        return protoDeep(p.proto, extraFrames, false);
    }

    @Benchmark
    public Object protoAcceptAndDrain(Proto p) {
        return protoDeep(p.proto, extraFrames, true);
    }

    private Object protoDeep(CaptureProto proto, int frames, boolean drain) {
        if (frames > 0) return protoDeep(proto, frames - 1, drain);
        FakeThread.start(proto, notStarted);
        if (drain) {
            proto.drain();
            return proto;
        }
        return proto.pending.getAndSet(null);
    }

    /**
     * Every capture variant interns the same stack, blame and truncated flag as today's Throwable, for stacks
     * shallower and deeper than depth, through a reflective call (Throwable traces show reflection frames),
     * and with app packages set (blame read from the whole stack, blamed frame kept beyond depth).
     */
    static void verifySameSites() throws Exception {
        java.lang.reflect.Method probe = HookBench.class.getDeclaredMethod("probe", CaptureProto[].class, int.class);
        for (List<String> app : List.of(List.<String>of(), List.of("org.openjdk.jmh"), List.of("no.such.pkg"))) {
            for (int depth : new int[] {3, 32}) {
                for (int frames : new int[] {0, 5, 64}) {
                    CaptureProto[] protos = new CaptureProto[CaptureProto.MODES];
                    for (int m = 0; m < protos.length; m++) protos[m] = new CaptureProto(m, depth, app);
                    probe.invoke(null, protos, frames);
                    for (CaptureProto p : protos) {
                        p.drain();
                        p.drain();
                    }
                    if (!CaptureProto.backtraceReadable() || protos[CaptureProto.THROWABLE_DEDUP].decoded != 1) {
                        throw new IllegalStateException("throwableDedup decoded " + protos[CaptureProto.THROWABLE_DEDUP].decoded
                                + " of 2 equal stacks (backtrace readable: " + CaptureProto.backtraceReadable() + ")");
                    }
                    for (int m = 1; m < protos.length; m++) {
                        if (protos[m].sites.size() != 1 || !protos[m].sites.equals(protos[0].sites)
                                || !protos[m].blames.equals(protos[0].blames)
                                || !protos[m].truncated.equals(protos[0].truncated)) {
                            throw new IllegalStateException("capture " + m + " differs (app=" + app + " depth=" + depth
                                    + " frames=" + frames + "): " + protos[m].sites + " " + protos[m].blames + " "
                                    + protos[m].truncated + " vs " + protos[0].sites + " " + protos[0].blames + " "
                                    + protos[0].truncated);
                        }
                    }
                }
            }
        }
    }

    /** Starts (fake) twice per prototype from the same line, under {@code frames} extra frames. */
    static void probe(CaptureProto[] protos, int frames) {
        if (frames > 0) {
            probe(protos, frames - 1);
            return;
        }
        Thread t = new Thread(() -> { });
        for (int i = 0; i < 2; i++) {
            for (CaptureProto p : protos) FakeThread.start(p, t);
        }
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
