package dev.threadleak.bench;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The cost of one periodic read ({@code Sampler.read(PERIODIC)}) and of a dump's read ({@code read(DUMP)}), findings not included,
 * with N parked threads, in-process: Registry, SiteTable, Blame and Sampler come from the built agent jar in
 * their own class loader (like {@link HookBench}); the agent itself is not installed, so each started thread
 * is registered with {@code registry.accept(thread)} right after {@code start()}, as the hook would.
 *
 * <p>Per sample it records the wall time and the sampling thread's CPU time (ThreadMXBean); over the whole
 * measured loop it also records the CPU of HotSpot's "VM Thread" (from /proc, 10 ms ticks, so only the mean
 * is meaningful) — ThreadMXBean.getThreadInfo runs as a VM operation at a safepoint, i.e. the stack walks
 * are done by the VM Thread, not by the caller — and the whole process's CPU. If the JVM runs with
 * {@code -Xlog:safepoint:file=F}, pass {@code --safepoint-log F} to get the safepoint pauses of the
 * ThreadDump operations (what the application's threads are stopped for).
 *
 * <p>For dumps ({@code --full N}) it also reports, per dump, the longest and the total safepoint pause and the
 * growth of the process's resident memory (VmRSS). {@code --fill-mb M} first fills the heap with M MiB of small
 * live objects, so that anything walking the heap at a safepoint pays what it would in a real service; run
 * it with {@code -XX:+AlwaysPreTouch} so the Java heap is resident from the start and RSS growth is native
 * memory (thread-dump buffers, malloc arenas).
 *
 * <pre>java -Xss256k -cp benchmarks.jar dev.threadleak.bench.SamplerBench --agent ../agent/target/threadleak-agent.jar
 *      --kind platform|virtual --threads 10000 [--warmup 20] [--samples 60] [--full 3] [--gap-ms 10] [--fill-mb 2560]</pre>
 */
public final class SamplerBench {
    /** The agent's default sample interval. */
    static final double INTERVAL_MS = 5_000;
    /** Objects of the heap fill: 48 bytes each (a long[4]), in chunks small enough not to be humongous in G1. */
    private static final int FILL_OBJECT_BYTES = 48, FILL_CHUNK = 16_384;
    /** Keeps the heap fill alive for the whole run. */
    static volatile Object[][] heapFill;

    public static void main(String[] args) throws Throwable {
        Map<String, String> a = Args.parse(args);
        String kind = a.getOrDefault("kind", "platform");
        int n = Integer.parseInt(a.getOrDefault("threads", "10000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "20"));
        int samples = Integer.parseInt(a.getOrDefault("samples", "60"));
        int full = Integer.parseInt(a.getOrDefault("full", "0"));
        long gapMs = Long.parseLong(a.getOrDefault("gap-ms", "10"));
        String safepointLog = a.get("safepoint-log");
        long fillMb = Long.parseLong(a.getOrDefault("fill-mb", "0"));
        if (fillMb > 0) fillHeap(fillMb);

        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(Args.require(a, "agent")).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> blameC = loader.loadClass("dev.threadleak.agent.registry.Blame");
        Class<?> sitesC = loader.loadClass("dev.threadleak.agent.registry.SiteTable");
        Class<?> registryC = loader.loadClass("dev.threadleak.agent.registry.Registry");
        Class<?> samplerC = loader.loadClass("dev.threadleak.agent.sample.Sampler");
        Object blame = blameC.getConstructor(List.class).newInstance(List.of());
        Object sites = sitesC.getConstructor(int.class, blameC).newInstance(32, blame);
        Object registry = registryC.getConstructor(sitesC).newInstance(sites);
        @SuppressWarnings("unchecked")
        java.util.function.Consumer<Thread> accept = (java.util.function.Consumer<Thread>) registry;
        Class<?> hookFailuresC = loader.loadClass("dev.threadleak.agent.registry.HookFailures");
        Object sampler = samplerC.getConstructor(registryC, hookFailuresC, long.class, long.class)
                .newInstance(registry, hookFailuresC.getField("NONE").get(null), System.currentTimeMillis(), 60_000L);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Enum> depthC = (Class<Enum>) loader.loadClass("dev.threadleak.agent.sample.Sampler$Depth");
        @SuppressWarnings("unchecked")
        Object periodic = Enum.valueOf(depthC, "PERIODIC"), dump = Enum.valueOf(depthC, "DUMP");
        Method take = samplerC.getMethod("read", depthC);

        String vmThreadStat = taskStat("VM Thread"); // found before the N threads exist

        MethodHandle startVirtual = VirtualThreadStartBench.startVirtual();
        if (kind.equals("virtual") && startVirtual == null) throw new IllegalStateException("virtual threads need JDK 21+");
        CountDownLatch arrived = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Runnable park = Parked.until(arrived, release);
        Thread[] started = new Thread[n];
        for (int i = 0; i < n; i++) {
            Thread t;
            if (kind.equals("virtual")) {
                t = (Thread) startVirtual.invokeExact(park);
            } else {
                t = new Thread(park, "parked-" + i);
                t.setDaemon(true);
                t.start();
            }
            accept.accept(t);
            started[i] = t;
        }
        if (!arrived.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("threads did not all park");
        registryC.getMethod("drain").invoke(registry); // decode the N creation stacks once, before sampling

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Object snapshot = null;
        for (int i = 0; i < warmup; i++) {
            snapshot = take.invoke(sampler, periodic);
            Thread.sleep(gapMs);
        }
        double[] wall = new double[samples];
        double[] cpu = new double[samples];
        int dumpsBefore = safepoints(safepointLog, "ThreadDump").size();
        int deadlocksBefore = safepoints(safepointLog, "FindDeadlocks").size();
        long vm0 = ticks(vmThreadStat), proc0 = os.getProcessCpuTime();
        for (int i = 0; i < samples; i++) {
            long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            snapshot = take.invoke(sampler, periodic);
            long w1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
            wall[i] = (w1 - w0) / 1e6;
            cpu[i] = (c1 - c0) / 1e6;
            Thread.sleep(gapMs);
        }
        long vm1 = ticks(vmThreadStat), proc1 = os.getProcessCpuTime();
        int seen = threadCount(snapshot);

        Stats w = Stats.of(wall), c = Stats.of(cpu);
        double vmMs = vm0 < 0 || vm1 < 0 ? Double.NaN : (vm1 - vm0) * 1000.0 / clockTicks() / samples;
        double procMs = (proc1 - proc0) / 1e6 / samples;
        System.out.printf("sampler, %,d parked %s threads, java %s: read(PERIODIC), %d samples after %d warm-up%n",
                n, kind, System.getProperty("java.version"), samples, warmup);
        System.out.printf("  wall  %8.2f ms median (mean %.2f, min %.2f)   %6.1f us/thread%n", w.median(), w.mean(), w.min(),
                w.median() * 1000 / n);
        System.out.printf("  CPU   %8.2f ms median (mean %.2f, min %.2f)   %6.1f us/thread  [sampling thread]%n", c.median(),
                c.mean(), c.min(), c.median() * 1000 / n);
        System.out.printf("  +VM Thread %5.2f ms mean   process total %.2f ms mean  [incl. VM Thread, GC, JIT; 10 ms ticks]%n",
                vmMs, procMs);
        double total = Double.isNaN(vmMs) ? c.median() : c.median() + vmMs;
        System.out.printf("  => at the default 5 s interval: %.2f %% of one core (sampling thread), %.2f %% with the VM Thread,"
                + " %.2f %% whole process%n", 100 * c.median() / INTERVAL_MS, 100 * total / INTERVAL_MS, 100 * procMs / INTERVAL_MS);
        System.out.printf("  (snapshot lists %,d threads)%n", seen);
        pauses(safepoints(safepointLog, "ThreadDump"), dumpsBefore, "ThreadDump (getThreadInfo)");
        pauses(safepoints(safepointLog, "FindDeadlocks"), deadlocksBefore, "FindDeadlocks");

        if (full > 0) {
            double[] fw = new double[full], fc = new double[full], longest = new double[full], paused = new double[full];
            long[] rssGrowth = new long[full];
            int[] safepointsPerDump = new int[full];
            long rssBefore = rssKb();
            for (int i = 0; i < full; i++) {
                Thread.sleep(100);
                List<Double> before = safepoints(safepointLog, "ThreadDump");
                long r0 = rssKb(), c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                take.invoke(sampler, dump);
                long w1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime(), r1 = rssKb();
                List<Double> mine = safepoints(safepointLog, "ThreadDump");
                mine = mine.subList(before.size(), mine.size());
                fw[i] = (w1 - w0) / 1e6;
                fc[i] = (c1 - c0) / 1e6;
                // no safepoint log (--safepoint-log not given): no pauses to read, NaN, and they are not printed below
                longest[i] = mine.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                paused[i] = mine.stream().mapToDouble(Double::doubleValue).sum();
                safepointsPerDump[i] = mine.size();
                rssGrowth[i] = r1 - r0;
            }
            Stats fW = Stats.of(fw), fC = Stats.of(fc);
            System.out.printf("  read(DUMP) (a dump's sample), %d runs: wall %.1f ms median (min %.1f), CPU %.1f ms median (min %.1f)%n",
                    full, fW.median(), fW.min(), fC.median(), fC.min());
            if (safepointLog != null) {
                System.out.printf("  read(DUMP) safepoints (ThreadDump) per dump: longest %.1f ms median (max %.1f), total %.1f ms median"
                        + " (max %.1f), %s safepoints%n", Stats.of(longest).median(), max(longest), Stats.of(paused).median(),
                        max(paused), java.util.Arrays.toString(safepointsPerDump));
            }
            System.out.printf("  read(DUMP) RSS growth per dump (MiB): %s; RSS %,d MiB before the first dump, %,d MiB after the last%n",
                    java.util.Arrays.toString(java.util.Arrays.stream(rssGrowth).map(kb -> kb / 1024).toArray()),
                    rssBefore / 1024, rssKb() / 1024);
        }
        release.countDown();
    }

    /**
     * Fills the heap with {@code mb} MiB of small live objects, kept reachable from {@link #heapFill}: a heap
     * walk then visits ~22,000 objects per MiB, as it would in a service with a full heap.
     */
    private static void fillHeap(long mb) {
        long objects = mb * 1024 * 1024 / FILL_OBJECT_BYTES;
        Object[][] fill = new Object[(int) ((objects + FILL_CHUNK - 1) / FILL_CHUNK)][];
        for (int c = 0; c < fill.length; c++) {
            Object[] chunk = new Object[(int) Math.min(FILL_CHUNK, objects - (long) c * FILL_CHUNK)];
            for (int i = 0; i < chunk.length; i++) chunk[i] = new long[4];
            fill[c] = chunk;
        }
        heapFill = fill;
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("heap filled: %,d small objects (%,d MiB asked), heap used %,d MiB%n", objects, mb, used >> 20);
    }

    /** This process's resident set size (VmRSS in /proc/self/status), in KiB; -1 if unknown. */
    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double max(double[] xs) {
        return java.util.Arrays.stream(xs).max().orElse(Double.NaN);
    }

    /** The /proc stat file of this process's task whose name is {@code name}, or null. */
    private static String taskStat(String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm")).trim().equals(name)) return t.resolve("stat").toString();
                } catch (IOException gone) {
                    // task ended
                }
            }
        } catch (IOException noProc) {
            return null;
        }
        return null;
    }

    /** utime + stime of a /proc task, in clock ticks; -1 if unknown. */
    private static long ticks(String stat) {
        if (stat == null) return -1;
        try {
            String s = Files.readString(Path.of(stat));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicks() {
        return 100; // USER_HZ on Linux
    }

    private static int threadCount(Object snapshot) throws ReflectiveOperationException {
        Object threads = snapshot.getClass().getMethod("threads").invoke(snapshot);
        return ((List<?>) threads).size();
    }

    private static void pauses(List<Double> all, int skip, String op) {
        if (all.size() <= skip) return;
        double[] xs = Stats.unboxed(all.subList(skip, all.size()));
        System.out.printf("  safepoint pause per sample, %s: %.2f ms median, max %.2f ms (%d measured)%n",
                op, Stats.of(xs).median(), java.util.Arrays.stream(xs).max().orElse(Double.NaN), xs.length);
    }

    /** The pauses (ms) of one VM operation's safepoints in an -Xlog:safepoint file so far; empty without one. */
    private static List<Double> safepoints(String log, String op) throws IOException {
        List<Double> ms = new ArrayList<>();
        if (log == null) return ms;
        Pattern total = Pattern.compile("Safepoint \"(\\w+)\".*Total: (\\d+) ns");
        for (String line : Files.readAllLines(Path.of(log))) {
            Matcher m = total.matcher(line);
            if (m.find() && m.group(1).equals(op)) ms.add(Long.parseLong(m.group(2)) / 1e6);
        }
        return ms;
    }
}
