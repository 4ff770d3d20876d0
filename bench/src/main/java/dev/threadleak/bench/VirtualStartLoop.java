package dev.threadleak.bench;

import java.lang.invoke.MethodHandle;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

/**
 * Virtual thread starts without JMH, for interleaved whole-JVM comparisons on a noisy machine (see RESULTS.md, I):
 * batches of 64 virtual threads parked on a latch, released and joined, for {@code seconds}, twice; the second round
 * is printed: wall and whole-process CPU per start, and collector time. Run it once per configuration, alternating
 * configurations, and compare medians. An optional second argument starts each thread from that many extra frames
 * (a framework's depth: a creation stack's capture costs per frame; see RESULTS.md, K):
 * <pre>java -Xms1g -Xmx1g [-javaagent:...] -cp benchmarks.jar dev.threadleak.bench.VirtualStartLoop 4 [extraFrames]</pre>
 */
public final class VirtualStartLoop {
    private static final int BATCH = 64;
    private static volatile CountDownLatch gate;

    private VirtualStartLoop() {}

    public static void main(String[] args) throws Throwable {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int extraFrames = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        MethodHandle startVirtual = VirtualThreadStartBench.startVirtual();
        if (startVirtual == null) throw new IllegalStateException("virtual threads need JDK 21+");
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Runnable body = () -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread[] threads = new Thread[BATCH];
        for (int round = 0; round < 2; round++) { // the first warms up
            long end = System.nanoTime() + seconds * 1_000_000_000L, starts = 0;
            long t0 = System.nanoTime(), cpu0 = os.getProcessCpuTime(), gc0 = gcMillis();
            while (System.nanoTime() < end) {
                gate = new CountDownLatch(1);
                for (int i = 0; i < BATCH; i++) threads[i] = start(startVirtual, body, extraFrames);
                gate.countDown();
                for (Thread t : threads) t.join();
                starts += BATCH;
            }
            if (round == 1) {
                System.out.printf("%.0f ns wall/start, %.0f ns cpu/start, gc %d ms, starts %d%n", (System.nanoTime() - t0) / (double) starts,
                        (os.getProcessCpuTime() - cpu0) / (double) starts, gcMillis() - gc0, starts);
            }
        }
    }

    private static Thread start(MethodHandle startVirtual, Runnable body, int frames) throws Throwable {
        return frames > 0 ? start(startVirtual, body, frames - 1) : (Thread) startVirtual.invokeExact(body);
    }

    private static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += gc.getCollectionTime();
        return ms;
    }
}
