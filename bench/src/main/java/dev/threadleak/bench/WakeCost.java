package dev.threadleak.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What one wake-up of a sleeping thread costs a JVM with many threads: N threads parked on a latch, and one thread that
 * does nothing but {@code parkNanos(--every-ms)} in a loop, as an agent's thread between its rounds; the CPU that thread
 * uses over a window (utime + stime from /proc, in clock ticks), and per wake-up.
 *
 * <pre>java -Xss256k -cp benchmarks.jar dev.threadleak.bench.WakeCost --threads 10000 --every-ms 200 [--warmup-s 15] [--window-s 60]</pre>
 */
public final class WakeCost {
    private WakeCost() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        int n = Integer.parseInt(a.getOrDefault("threads", "10000"));
        long everyNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(a.getOrDefault("every-ms", "200")));
        long warmupS = Long.parseLong(a.getOrDefault("warmup-s", "15")), windowS = Long.parseLong(a.getOrDefault("window-s", "60"));
        CountDownLatch release = Parked.daemons(n);
        long[] wakes = {0};
        long[] tid = {0};
        CountDownLatch running = new CountDownLatch(1);
        Thread waker = new Thread(() -> {
            tid[0] = Long.parseLong(readLink("/proc/thread-self").replaceAll(".*/", ""));
            running.countDown();
            while (true) {
                LockSupport.parkNanos(everyNanos);
                wakes[0]++;
            }
        }, "waker");
        waker.setDaemon(true);
        waker.start();
        running.await();
        Thread.sleep(TimeUnit.SECONDS.toMillis(warmupS)); // a measurement's warm-up, not a wait for a condition
        long ticks0 = ticks(tid[0]), wakes0 = wakes[0];
        Thread.sleep(TimeUnit.SECONDS.toMillis(windowS));
        long ticks = ticks(tid[0]) - ticks0, woke = wakes[0] - wakes0;
        System.out.printf("threads %d, a wake-up every %d ms: %d wake-ups, %d ticks (%.2f %% of a core), %.3f ms of CPU a wake-up%n",
                n, TimeUnit.NANOSECONDS.toMillis(everyNanos), woke, ticks, ticks * 10.0 / (windowS * 1000) * 100, ticks * 10.0 / Math.max(1, woke));
        release.countDown();
    }

    private static String readLink(String link) {
        try {
            return Files.readSymbolicLink(Path.of(link)).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** utime + stime of one thread of this process, in clock ticks (10 ms). */
    private static long ticks(long tid) throws java.io.IOException {
        String s = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
