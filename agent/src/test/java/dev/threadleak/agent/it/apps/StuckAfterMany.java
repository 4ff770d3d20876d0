package dev.threadleak.agent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A pool that has run 10,022 short tasks from one line (past the executor's first captured submissions, and not
 * a multiple of the sampling rate) is handed one task from another line that hangs: its submission is that
 * line's first, so it is captured. Prints "stuck" once it hangs and runs until the file args[0] exists.
 */
public final class StuckAfterMany {
    private StuckAfterMany() {}

    public static void main(String[] args) throws Exception {
        AgentReady.await(); // sampling by key begins with the agent's set-up, after its quiet first second
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        CountDownLatch done = new CountDownLatch(10_022);
        for (int i = 0; i < 10_022; i++) pool.execute(done::countDown);
        done.await();
        CountDownLatch hung = new CountDownLatch(1), reply = new CountDownLatch(1);
        pool.submit(() -> fetch(hung, reply)); // STUCK: submitted
        hung.await();
        System.out.println("stuck");
        Path stop = Path.of(args[0]);
        while (!Files.exists(stop)) Thread.sleep(10); // polling for the stop file
        System.exit(0);
    }

    static void fetch(CountDownLatch hung, CountDownLatch reply) {
        hung.countDown();
        try {
            reply.await(); // WAITS: no timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
