package dev.threadleak.samples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Fixed twin of {@link StuckTasks}: a fetch gives up after 50 ms without a reply, so the pool keeps up; shut down at the end. */
public final class StuckTasksFixed {
    private static final ThreadPoolExecutor INGEST = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "StuckTasksFixed: one request every 100 ms for %d s;"
                + " each hands a fetch to a pool; a fetch waits at most 50 ms for its reply",
                n -> INGEST.execute(StuckTasksFixed::fetch));
        INGEST.shutdownNow();
        System.exit(0);
    }

    static void fetch() {
        try {
            new CountDownLatch(1).await(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private StuckTasksFixed() {
    }
}
