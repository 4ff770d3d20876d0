package dev.threadleak.agent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A periodic poller that runs fine three times and hangs on its fourth run, beside a pool that has run 10,000
 * short tasks; prints "stuck" once the poller hangs and runs until the file args[0] exists.
 */
public final class StuckPeriodic {
    private StuckPeriodic() {}

    public static void main(String[] args) throws Exception {
        ThreadPoolExecutor busy = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        CountDownLatch done = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) busy.execute(done::countDown);
        done.await();

        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        CountDownLatch hung = new CountDownLatch(1), reply = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        scheduler.scheduleWithFixedDelay(() -> poll(runs, hung, reply), 0, 10, TimeUnit.MILLISECONDS); // PERIODIC: scheduled
        hung.await();
        System.out.println("stuck");
        Path stop = Path.of(args[0]);
        while (!Files.exists(stop)) Thread.sleep(10); // polling for the stop file
        System.exit(0);
    }

    static void poll(AtomicInteger runs, CountDownLatch hung, CountDownLatch reply) {
        if (runs.incrementAndGet() < 4) return;
        hung.countDown();
        try {
            reply.await(); // WAITS: no timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
