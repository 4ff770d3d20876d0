package dev.threadleak.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.invoke.MethodHandle;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the whole process pays for the agent in a steady JVM with many threads (issue 26): interleaved child JVMs,
 * each with N threads (parked, or busy: each wakes every 0.2–2 s, so its stack moves), measured over a window after a
 * warm-up: CPU (utime + stime of the whole process, from /proc, and of the agent's own threads), safepoint time (all operations, and those the agent
 * causes: ThreadDump and FindDeadlocks, from -Xlog:safepoint), GC time and allocation (the child's MXBeans), RSS at
 * the window's end, and heap used after a full GC. Heap is fixed and pre-touched, so RSS differences are native memory.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.ProcessCostBench --agent JAR [--java BIN] [--kind platform|virtual]
 *      [--load parked|busy] [--threads 10000] [--configs none,default,sample1s,base:default] [--baseline JAR] [--rounds 3] [--warmup-s 15] [--window-s 30]</pre>
 * Configurations: {@code none} (no agent), {@code empty} (--empty JAR, an agent that does nothing), {@code default}
 * (threadleak, default options), {@code sample1s} (threadleak, {@code sample=1s}), or threadleak's options separated by
 * semicolons ({@code interval=0;sample=1s}); each prefixed {@code base:} runs with {@code --baseline JAR} (an older agent).
 */
public final class ProcessCostBench {
    private static final List<String> CHILD_JVM = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch", "-Xss256k");
    private static final Pattern SAFEPOINT = Pattern.compile("^\\[([\\d.]+)s\\].*Safepoint \"(\\w+)\".*Total: (\\d+) ns");
    /** The VM operations the agent's sampler causes (ThreadMXBean.getThreadInfo with stacks, findDeadlockedThreads). */
    private static boolean verbose;
    private static final List<String> AGENT_OPS = List.of("ThreadDump", "FindDeadlocks");

    public static void main(String[] args) throws Throwable {
        Map<String, String> a = Args.parse(args);
        if (a.containsKey("child")) {
            child(a.get("kind"), a.get("load"), Integer.parseInt(a.get("threads")));
            return;
        }
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String kind = a.getOrDefault("kind", "platform"), load = a.getOrDefault("load", "parked");
        int threads = Integer.parseInt(a.getOrDefault("threads", "10000"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
        long warmupS = Long.parseLong(a.getOrDefault("warmup-s", "15")), windowS = Long.parseLong(a.getOrDefault("window-s", "30"));
        verbose = a.containsKey("verbose");
        String extra = a.getOrDefault("options", "");
        Map<String, String> configs = new LinkedHashMap<>();
        for (String named : a.getOrDefault("configs", "none,default,sample1s").split(",")) {
            // "base:" before a configuration runs it with the --baseline jar instead of --agent
            boolean base = named.startsWith("base:");
            String c = base ? named.substring("base:".length()) : named, agent = base ? Args.require(a, "baseline") : a.get("agent");
            configs.put(named, switch (c) {
                case "none" -> null;
                case "empty" -> "-javaagent:" + Args.require(a, "empty");
                case "default" -> "-javaagent:" + Objects.requireNonNull(agent, "--agent") + "=dir=%s" + extra;
                case "sample1s" -> "-javaagent:" + agent + "=sample=1s,dir=%s" + extra;
                default -> {
                    if (!c.contains("=")) throw new IllegalArgumentException("unknown configuration " + c + " (none, empty, default, sample1s, or options)");
                    yield "-javaagent:" + agent + "=" + c.replace(';', ',') + ",dir=%s" + extra; // options: sample=1s;interval=0
                }
            });
        }
        Map<String, List<Reading>> results = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, String> c : configs.entrySet()) {
                Reading reading = run(java, c.getValue(), kind, load, threads, warmupS, windowS);
                results.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(reading);
                System.err.printf("round %d %-9s %s%n", r + 1, c.getKey(), reading);
            }
        }
        System.out.printf("process cost, %,d %s %s threads, java %s, %d interleaved rounds, %d s window after %d s warm-up, %s%n",
                threads, load, kind, java, rounds, windowS, warmupS, String.join(" ", CHILD_JVM));
        System.out.printf("%-9s %16s %16s %18s %18s %14s %14s %12s %14s%n", "config", "CPU % of a core", "agent threads %", "safepoints ms/s",
                "agent ops ms/s", "GC ms/s", "alloc MB/s", "RSS MB", "heap MB (GC'd)");
        for (Map.Entry<String, List<Reading>> e : results.entrySet()) {
            List<Reading> rs = e.getValue();
            System.out.printf("%-9s %16s %16s %18s %18s %14s %14s %12s %14s%n", e.getKey(), cell(rs, Reading::cpuPercent), cell(rs, Reading::agentCpuPercent),
                    cell(rs, Reading::safepointMsPerS), cell(rs, Reading::agentOpsMsPerS), cell(rs, Reading::gcMsPerS),
                    cell(rs, Reading::allocMbPerS), cell(rs, Reading::rssMb), cell(rs, Reading::heapMb));
        }
    }

    /** The median, and the spread (min–max) of the rounds. */
    private static String cell(List<Reading> rs, java.util.function.ToDoubleFunction<Reading> f) {
        double[] xs = rs.stream().mapToDouble(f).toArray();
        Stats s = Stats.of(xs);
        return String.format(s.max() >= 100 ? "%.0f (%.0f-%.0f)" : "%.2f (%.2f-%.2f)", s.median(), s.min(), s.max());
    }

    record Reading(double cpuPercent, double agentCpuPercent, double safepointMsPerS, double agentOpsMsPerS, double gcMsPerS, double allocMbPerS,
                   double rssMb, double heapMb) {
        @Override
        public String toString() {
            return String.format("cpu %.2f%% (agent threads %.2f%%) safepoints %.2f ms/s (agent ops %.2f) gc %.2f ms/s alloc %.2f MB/s rss %.0f MB heap %.1f MB",
                    cpuPercent, agentCpuPercent, safepointMsPerS, agentOpsMsPerS, gcMsPerS, allocMbPerS, rssMb, heapMb);
        }
    }

    private static Reading run(String java, String agentOption, String kind, String load, int threads, long warmupS, long windowS)
            throws Exception {
        Path dir = Files.createTempDirectory("threadleak-cost");
        try {
            Path safepointLog = dir.resolve("safepoints.log");
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(CHILD_JVM);
            cmd.add("-Xlog:safepoint=info:file=" + safepointLog + ":uptime");
            if (agentOption != null) cmd.add(agentOption.contains("%s") ? String.format(agentOption, dir.resolve("dumps")) : agentOption);
            String cp = Path.of(ProcessCostBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            cmd.addAll(List.of("-cp", cp, ProcessCostBench.class.getName(), "--child", "--kind", kind, "--load", load,
                    "--threads", String.valueOf(threads)));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
                 PrintStream in = new PrintStream(p.getOutputStream(), true)) {
                expect(out, "ready", p);
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmupS));
                Map<String, Long> byThread0 = ticksByThread(p.pid());
                long ticks0 = ticks(p.pid()), agentTicks0 = agentTicks(byThread0);
                in.println("mark");
                String[] m0 = expect(out, "mark", p).split(" ");
                Thread.sleep(TimeUnit.SECONDS.toMillis(windowS));
                Map<String, Long> byThread1 = ticksByThread(p.pid());
                long ticks1 = ticks(p.pid()), agentTicks1 = agentTicks(byThread1);
                if (verbose) System.err.println("  CPU ticks by thread: " + delta(byThread0, byThread1));
                in.println("mark");
                String[] m1 = expect(out, "mark", p).split(" ");
                double rssMb = rssKb(p.pid()) / 1024.0;
                in.println("end");
                String heap = expect(out, "heap", p);
                long exitBegan = System.nanoTime();
                while (out.readLine() != null) { } // whatever it prints at exit, read so that it never blocks on a full pipe
                if (!p.waitFor(120, TimeUnit.SECONDS)) throw new IllegalStateException("child did not exit within 2 minutes");
                double exitS = (System.nanoTime() - exitBegan) / 1e9;
                if (exitS > 10) System.err.printf("the child took %.0f s to exit%n", exitS);
                double seconds = (Long.parseLong(m1[1]) - Long.parseLong(m0[1])) / 1000.0;
                double fromS = Long.parseLong(m0[1]) / 1000.0, toS = Long.parseLong(m1[1]) / 1000.0;
                double[] safepoints = safepointMs(safepointLog, fromS, toS);
                return new Reading(100.0 * (ticks1 - ticks0) / 100.0 / seconds, 100.0 * (agentTicks1 - agentTicks0) / 100.0 / seconds, safepoints[0] / seconds, safepoints[1] / seconds,
                        (Long.parseLong(m1[3]) - Long.parseLong(m0[3])) / seconds,
                        (Long.parseLong(m1[2]) - Long.parseLong(m0[2])) / 1e6 / seconds, rssMb,
                        Long.parseLong(heap.split(" ")[1]) / 1e6);
            } finally {
                p.destroyForcibly();
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String expect(BufferedReader out, String prefix, Process p) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(prefix)) return line;
        }
        throw new IllegalStateException("child ended (exit " + p.onExit().join().exitValue() + ") before '" + prefix + "'");
    }

    /** Safepoint time (ms) between two uptimes: all operations, and the agent's. */
    private static double[] safepointMs(Path log, double fromS, double toS) throws IOException {
        double all = 0, agent = 0;
        Map<String, Double> byOp = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = SAFEPOINT.matcher(line);
            if (!m.find()) continue;
            double at = Double.parseDouble(m.group(1));
            if (at < fromS || at > toS) continue;
            double ms = Long.parseLong(m.group(3)) / 1e6;
            all += ms;
            if (AGENT_OPS.contains(m.group(2))) agent += ms;
            byOp.merge(m.group(2), ms, Double::sum);
        }
        if (verbose) System.err.println("  safepoint ms by operation: " + byOp);
        return new double[] {all, agent};
    }

    /** utime + stime of the whole process, in clock ticks (USER_HZ, 100 a second). */
    private static long ticks(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** utime + stime of the agent's own threads (named threadleak-*), in clock ticks. */
    private static long agentTicks(Map<String, Long> byThread) {
        long sum = 0;
        for (Map.Entry<String, Long> e : byThread.entrySet()) {
            if (e.getKey().startsWith("threadleak")) sum += e.getValue();
        }
        return sum;
    }

    /**
     * utime + stime of the live threads by name (the kernel's 15 characters, digits dropped so that "GC Thread#0" and
     * "GC Thread#1" are one), in clock ticks: which of the JVM's threads (VM Thread, GC, compilers, the agent's) pay.
     */
    private static Map<String, Long> ticksByThread(long pid) throws IOException {
        Map<String, Long> sums = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(t.resolve("comm")).strip().replaceAll("\\d+", "#");
                    String s = Files.readString(t.resolve("stat"));
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    sums.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException ended) {
                    // the task ended between the listing and the read
                }
            }
        }
        return sums;
    }

    /** What each name gained between two readings, the names that gained nothing left out. */
    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new java.util.TreeMap<>();
        after.forEach((name, ticks) -> {
            long gained = ticks - before.getOrDefault(name, 0L);
            if (gained > 0) out.put(name, gained);
        });
        return out;
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    /** The child: N threads, then answers "mark" (uptime ms, bytes allocated, GC ms) and "end" (heap after GC). */
    private static void child(String kind, String load, int n) throws Throwable {
        MethodHandle startVirtual = VirtualThreadStartBench.startVirtual();
        if (kind.equals("virtual") && startVirtual == null) throw new IllegalStateException("virtual threads need JDK 21+");
        CountDownLatch arrived = new CountDownLatch(n), release = new CountDownLatch(1);
        Runnable body = load.equals("busy") ? busy(arrived, release) : Parked.until(arrived, release);
        for (int i = 0; i < n; i++) {
            if (kind.equals("virtual")) {
                Thread unused = (Thread) startVirtual.invokeExact(body);
            } else {
                Thread t = new Thread(body, "worker-" + i);
                t.setDaemon(true);
                t.start();
            }
        }
        if (!arrived.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("threads did not all start");
        System.out.println("ready");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("mark")) {
                long gcMs = 0;
                for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) gcMs += Math.max(0, gc.getCollectionTime());
                System.out.println("mark " + ManagementFactory.getRuntimeMXBean().getUptime() + " " + mx.getTotalThreadAllocatedBytes()
                        + " " + gcMs);
            } else if (line.equals("end")) {
                for (int i = 0; i < 3; i++) System.gc();
                System.out.println("heap " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                // exits with the threads still parked, as a service does: 10,000 threads ending at once while the agent's
                // exit dump reads them made the exit take a minute (see RESULTS.md, Q)
                System.exit(0);
            }
        }
    }

    /** A thread that wakes every 0.2–2 s and works a little: its state and stack move between samples. */
    private static Runnable busy(CountDownLatch arrived, CountDownLatch release) {
        return () -> {
            arrived.countDown();
            try {
                while (!release.await(ThreadLocalRandom.current().nextLong(200, 2_000), TimeUnit.MILLISECONDS)) {
                    sink = sink * 31 + Long.toString(ThreadLocalRandom.current().nextLong()).hashCode();
                }
            } catch (InterruptedException ignored) {
                // released by interruption: end
            }
        };
    }

    /** Keeps the busy threads' work from being optimized away. */
    static volatile long sink;
}
