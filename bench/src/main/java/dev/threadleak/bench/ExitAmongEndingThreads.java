package dev.threadleak.bench;

import java.util.concurrent.CountDownLatch;

/**
 * A JVM that exits while its threads end, as a service whose last act releases them (RESULTS.md, R): N threads parked on
 * a latch, then, after a pause, the latch released and {@code System.exit} at once; prints "exiting" to stderr just
 * before. Time from that line to the process's end, with and without the agent (its exit dump reads the threads'
 * stacks while they end):
 * <pre>java -Xss256k [-javaagent:...] -cp benchmarks.jar dev.threadleak.bench.ExitAmongEndingThreads 10000 2000</pre>
 */
public final class ExitAmongEndingThreads {
    private ExitAmongEndingThreads() {}

    public static void main(String[] args) throws InterruptedException {
        int count = Integer.parseInt(args[0]);
        long pauseMs = Long.parseLong(args[1]);
        CountDownLatch arrived = new CountDownLatch(count), release = new CountDownLatch(1);
        for (int i = 0; i < count; i++) {
            new Thread(() -> {
                arrived.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "ending-" + i).start();
        }
        arrived.await();
        Thread.sleep(pauseMs); // past the agent's quiet first second: its set-up is done, as in a service
        release.countDown();
        System.err.println("exiting");
        System.exit(0);
    }
}
