package dev.threadleak.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What reading thread stacks through ThreadMXBean leaves in the process's resident memory: N parked threads, then ten
 * rounds that read every thread's stack (or only its state), {@code --batch} threads per call, on a thread of their own
 * (as the agent's sampler is), printing VmRSS after each. HotSpot holds a call's stacks in native memory until it
 * returns, and glibc's malloc arena of the calling thread keeps those pages (RESULTS.md, Q).
 *
 * <pre>java -Xms256m -Xmx256m -XX:+AlwaysPreTouch -Xss256k -cp benchmarks.jar dev.threadleak.bench.StackReadRssBench
 *      --threads 10000 --batch 128 --depth 64|0|all</pre>
 */
public final class StackReadRssBench {
    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        int n = Integer.parseInt(a.getOrDefault("threads", "10000")), batch = Integer.parseInt(a.getOrDefault("batch", "128"));
        String depthArg = a.getOrDefault("depth", "64");
        int depth = depthArg.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(depthArg);
        CountDownLatch arrived = new CountDownLatch(n), release = new CountDownLatch(1);
        Runnable park = Parked.until(arrived, release);
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(park, "parked-" + i);
            t.setDaemon(true);
            t.start();
        }
        if (!arrived.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("threads did not all park");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = SamplerBench.rssKb();
        long[] after = new long[10];
        Thread reader = new Thread(() -> {
            for (int r = 0; r < after.length; r++) {
                long[] ids = mx.getAllThreadIds();
                for (int from = 0; from < ids.length; from += batch) {
                    long[] some = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + batch));
                    if (depth == 0) mx.getThreadInfo(some, 0);
                    else mx.getThreadInfo(some, depth == Integer.MAX_VALUE, false, depth);
                }
                after[r] = SamplerBench.rssKb();
            }
        }, "reader");
        reader.start();
        reader.join();
        System.out.printf("stack reads, %,d parked threads, %,d a call, depth %s, java %s: RSS %,d MiB before, %,d after the first"
                + " round (+%,d), %,d after the tenth (+%,d)%n", n, batch, depthArg, System.getProperty("java.version"), before / 1024,
                after[0] / 1024, (after[0] - before) / 1024, after[9] / 1024, (after[9] - before) / 1024);
        release.countDown();
    }
}
