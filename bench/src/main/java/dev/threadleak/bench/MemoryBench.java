package dev.threadleak.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Heap bytes the agent keeps per live tracked thread. A child JVM measures the heap used (after full GCs)
 * before and after starting N threads that stay parked, once with the agent and once without; the
 * per-thread difference of the two is the agent's cost. The with-agent child waits until the agent's
 * drain has recorded all N (polling Registry.liveCount through reflection), so the raw creation stacks
 * are already decoded and dropped: what remains is the steady state (ThreadRecord + list slot); interned
 * sites are one per distinct stack and all N share one here.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.MemoryBench --java BIN --agent JAR --dir DIR
 *      --kind virtual|platform --threads 100000 [--runs 3]</pre>
 */
public final class MemoryBench {
    private static final List<String> CHILD_JVM = List.of("-XX:+UseSerialGC", "-Xms2g", "-Xmx2g");

    public static void main(String[] args) throws Throwable {
        Map<String, String> a = Args.parse(args);
        if (a.containsKey("child")) {
            child(a.get("kind"), Integer.parseInt(a.get("threads")));
            return;
        }
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String kind = a.getOrDefault("kind", "virtual");
        int threads = Integer.parseInt(a.getOrDefault("threads", "100000"));
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));
        String agent = "-javaagent:" + Args.require(a, "agent") + "=interval=0,dir=" + Args.require(a, "dir");
        String cp = Path.of(MemoryBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();

        double[] without = new double[runs];
        double[] with = new double[runs];
        for (int i = 0; i < runs; i++) {
            without[i] = runChild(java, null, cp, kind, threads);
            with[i] = runChild(java, agent, cp, kind, threads);
        }
        Stats w = Stats.of(with);
        Stats wo = Stats.of(without);
        System.out.printf("memory, %,d parked %s threads, heap used after full GC, %d runs each, java=%s%n", threads, kind, runs, java);
        System.out.printf("  heap per thread, no agent:   %7.1f B (median; min %.1f)%n", wo.median(), wo.min());
        System.out.printf("  heap per thread, threadleak: %7.1f B (median; min %.1f)%n", w.median(), w.min());
        System.out.printf("  => threadleak keeps %.1f bytes per live tracked thread (excluding interned stacks)%n", w.median() - wo.median());
    }

    private static double runChild(String java, String agent, String cp, String kind, int threads) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(CHILD_JVM);
        if (agent != null) cmd.add(agent);
        cmd.addAll(List.of("-cp", cp, MemoryBench.class.getName(), "--child", "--kind", kind, "--threads", String.valueOf(threads)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("RESULT ")) result = line;
            }
        }
        if (p.waitFor() != 0 || result == null) throw new IllegalStateException("child failed: " + cmd + "\n" + all);
        return Double.parseDouble(result.split(" ")[1]);
    }

    private static void child(String kind, int n) throws Throwable {
        MethodHandle startVirtual = VirtualThreadStartBench.startVirtual();
        if (kind.equals("virtual") && startVirtual == null) throw new IllegalStateException("virtual threads need JDK 21+");
        Object registry = Configs.agentLoaded() ? registry() : null;
        // A full round first, not measured: loads and compiles the start/park path, so that the measured
        // round's threads park with the same (compiled) frames in both configurations; a virtual thread's
        // parked stack chunk is larger when its frames are interpreted.
        round(kind, n, startVirtual, null, "WARMUP");
        Thread.sleep(1000); // the agent drops the ended threads and settles before the baseline
        round(kind, n, startVirtual, registry, "RESULT");
    }

    private static void round(String kind, int n, MethodHandle startVirtual, Object registry, String label) throws Throwable {
        long before = usedAfterGc();
        int liveBefore = registry == null ? 0 : liveCount(registry);

        CountDownLatch arrived = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        Runnable park = Parked.until(arrived, release);
        Thread[] started = new Thread[n];
        for (int i = 0; i < n; i++) {
            started[i] = kind.equals("virtual") ? (Thread) startVirtual.invokeExact(park) : start(park);
        }
        if (!arrived.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("threads did not all start");
        if (registry != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (liveCount(registry) < liveBefore + n) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("agent did not record all threads");
                Thread.sleep(50);
            }
        }
        Thread.sleep(500); // one more drain period in both configurations
        long after = usedAfterGc();
        System.out.printf(label + " %.2f before=%d after=%d agentLive=%d%n", (after - before) / (double) n, before, after,
                registry == null ? -1 : liveCount(registry));
        release.countDown();
        for (Thread t : started) t.join();
    }

    private static Thread start(Runnable r) {
        Thread t = new Thread(null, r, "parked", 256 * 1024);
        t.start();
        return t;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Object registry() throws ReflectiveOperationException {
        Class<?> agent = Class.forName("dev.threadleak.agent.Agent", true, ClassLoader.getSystemClassLoader());
        // private fields (Agent.runtime() and AgentRuntime.registry() went away in f8018b1)
        java.lang.reflect.Field f = agent.getDeclaredField("runtime");
        f.setAccessible(true);
        Object runtime = f.get(null);
        java.lang.reflect.Field registry = runtime.getClass().getDeclaredField("registry");
        registry.setAccessible(true);
        return registry.get(runtime);
    }

    private static int liveCount(Object registry) throws ReflectiveOperationException {
        return (int) registry.getClass().getMethod("liveCount").invoke(registry);
    }
}
