package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Threads holding locks, for the dump a test reads: "holder" holds a monitor (a {@link Guard}), a fair
 * ReentrantLock nobody waits for and a non-fair one that "waiter" is parked on (a dump names a lock by its
 * synchronizer, {@code ReentrantLock$FairSync@…} or {@code ReentrantLock$NonfairSync@…}); then args[0] more
 * threads "parked-N" wait on a latch. Prints "ready" once every thread is in place and exits 0 (the exit dump
 * sees them all).
 */
public final class HeldLocks {
    /** The monitor holder locks; its own class so a dump names it. */
    static final class Guard {}

    public static void main(String[] args) throws Exception {
        int parked = Integer.parseInt(args[0]);
        Guard guard = new Guard();
        ReentrantLock quiet = new ReentrantLock(true);
        ReentrantLock contended = new ReentrantLock(false);
        CountDownLatch holding = new CountDownLatch(1), release = new CountDownLatch(1);
        daemon("holder", () -> {
            synchronized (guard) {
                quiet.lock();
                contended.lock();
                holding.countDown();
                while (true) LockSupport.park(); // holds all three until the JVM exits
            }
        });
        holding.await();
        daemon("waiter", contended::lock);
        CountDownLatch arrived = new CountDownLatch(parked);
        for (int i = 0; i < parked; i++) {
            daemon("parked-" + i, () -> {
                arrived.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    // end
                }
            });
        }
        arrived.await();
        long end = System.nanoTime() + 30_000_000_000L;
        while (!contended.hasQueuedThreads()) { // the waiter is parked on the lock once it is queued
            if (System.nanoTime() > end) System.exit(3);
            Thread.sleep(10); // poll
        }
        System.out.println("ready");
        System.exit(0);
    }

    private static void daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }
}
