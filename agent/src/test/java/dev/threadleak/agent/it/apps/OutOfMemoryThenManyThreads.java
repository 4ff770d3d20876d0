package dev.threadleak.agent.it.apps;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An unlucky host: {@code parked} threads wait, the agent is up, the heap stays full for {@code fullMillis} (every allocation
 * in the JVM, the agent's included, may fail), then the heap is released and {@code starts} threads are
 * started and joined one after another, from a deep stack. Prints {@code done} and exits 0 if the JVM survived.
 */
public final class OutOfMemoryThenManyThreads {
    private OutOfMemoryThenManyThreads() {}

    public static void main(String[] args) throws InterruptedException {
        int parked = Integer.parseInt(args[0]);
        long fullMillis = Long.parseLong(args[1]);
        int starts = Integer.parseInt(args[2]);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < parked; i++) {
            Thread t = new Thread(() -> awaitQuietly(release), "parked-" + i);
            t.setDaemon(true);
            t.start();
        }
        AgentReady.await(); // out of memory strikes a running service, not its first second
        keepHeapFull(fullMillis);
        release.countDown();
        startAndJoin(starts, STACK_DEPTH);
        System.out.println("done");
    }

    /** Deep enough that each start's creation stack weighs a few KiB, as in a real server. */
    private static final int STACK_DEPTH = 100;

    private static void startAndJoin(int starts, int depth) throws InterruptedException {
        if (depth > 0) {
            startAndJoin(starts, depth - 1);
            return;
        }
        Runnable nothing = () -> { };
        for (int i = 0; i < starts; i++) {
            Thread t = new Thread(nothing, "short");
            t.start();
            t.join();
        }
    }

    /**
     * Fills the heap to the last few bytes (ever smaller arrays until even the smallest fails) and holds it
     * full for the given time: every allocation in the JVM, the agent thread's included, fails meanwhile.
     */
    private static void keepHeapFull(long millis) throws InterruptedException {
        List<Object> hog = new ArrayList<>();
        for (int size = 1 << 20; size >= 16; size /= 4) {
            try {
                while (true) hog.add(new byte[size]);
            } catch (OutOfMemoryError full) {
                // next, smaller pieces
            }
        }
        Thread.sleep(millis); // the app holds its memory; the agent runs meanwhile
        hog.clear();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
