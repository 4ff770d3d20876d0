package dev.threadleak.samples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * LEAK: every request hands a fetch to the two-worker pool "ingest"; a fetch waits for a reply with no
 * timeout, and the first two replies never come. Both workers stay stuck in their tasks, and every later
 * fetch queues behind them forever.
 */
public final class StuckTasks {
    private static final AtomicInteger WORKERS = new AtomicInteger();
    private static final ThreadFactory NAMED = r -> new Thread(r, "ingest-" + WORKERS.incrementAndGet());
    static final ThreadPoolExecutor INGEST = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), NAMED); // POOL: the pool

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "StuckTasks: one request every 100 ms for %d s;"
                + " each hands a fetch to pool \"ingest\", whose first two fetches wait forever for a reply",
                StuckTasks::handle);
        System.exit(0); // the stuck non-daemon workers would keep the JVM alive
    }

    static void handle(int n) {
        CountDownLatch reply = new CountDownLatch(1); // nobody ever counts it down
        INGEST.execute(() -> fetch(reply)); // LEAK: a task that waits for its reply with no timeout
    }

    static void fetch(CountDownLatch reply) {
        try {
            reply.await(); // WAITS: no timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private StuckTasks() {
    }
}
