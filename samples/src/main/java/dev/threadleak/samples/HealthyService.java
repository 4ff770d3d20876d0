package dev.threadleak.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * NO LEAK: a service that must look healthy to a leak detector.
 * <ul>
 *   <li>a fixed pool of 4 workers ("worker-1".."worker-4"), created once, busy with a burst of tasks
 *       every second and idle in between;</li>
 *   <li>a few short-lived threads ("short-lived-N") that start, do a little work and end;</li>
 *   <li>one long-lived scheduled executor ("ticker") ticking every 200 ms.</li>
 * </ul>
 * Thread count stays flat; everything is shut down at the end.
 */
public final class HealthyService {

    static final AtomicLong TICKS = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int seconds = Samples.seconds(args);
        System.out.println("HealthyService: runs for " + seconds
                + " s with 4 pooled workers doing bursts of tasks, a few short-lived threads and a 200 ms ticker; no leak");
        ExecutorService workers = Executors.newFixedThreadPool(4, named("worker-"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(named("ticker"));
        ticker.scheduleAtFixedRate(TICKS::incrementAndGet, 0, 200, TimeUnit.MILLISECONDS);

        long deadline = Samples.deadline(seconds);
        int n = 0;
        while (Samples.before(deadline)) {
            n++;
            if (n % 10 == 1) {
                burst(workers, n);          // busy ~ once a second, idle in between
            }
            if (n % 15 == 0) {
                shortLivedThread(n);        // a few threads that start and end
            }
            Samples.pause(100, deadline);
        }

        ticker.shutdown();
        workers.shutdown();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
        workers.awaitTermination(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    static void burst(ExecutorService workers, int n) throws Exception {
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int k = n * 100 + i;
            results.add(workers.submit(() -> Samples.work(k)));
        }
        for (Future<Long> f : results) {
            f.get();
        }
    }

    static void shortLivedThread(int n) throws InterruptedException {
        Thread t = new Thread(() -> Samples.work(n), "short-lived-" + n);
        t.start();
        t.join();
    }

    /** Names threads prefix + N (N from 1), or exactly {@code prefix} when it does not end with '-'. */
    static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> new Thread(r, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
    }

    private HealthyService() {
    }
}
