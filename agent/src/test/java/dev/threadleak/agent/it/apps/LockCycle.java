package dev.threadleak.agent.it.apps;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/** Two threads take two ReentrantLocks in opposite order: a java.util.concurrent deadlock. Exits once the JVM sees it. */
public final class LockCycle {
    public static void main(String[] args) throws Exception {
        ReentrantLock a = new ReentrantLock(), b = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        start("lock-a-then-b", a, b, bothHoldOne);
        start("lock-b-then-a", b, a, bothHoldOne);
        long end = System.nanoTime() + 30_000_000_000L;
        while (ManagementFactory.getThreadMXBean().findDeadlockedThreads() == null) {
            if (System.nanoTime() > end) System.exit(3);
            Thread.sleep(10); // poll until the cycle has formed
        }
        Thread.sleep(1500); // stay past the 1 s blocked threshold the test sets
        System.out.println("deadlocked");
        System.exit(0);
    }

    private static void start(String name, ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldOne) {
        Thread t = new Thread(() -> {
            first.lock();
            bothHoldOne.countDown();
            try {
                bothHoldOne.await();
            } catch (InterruptedException e) {
                return;
            }
            second.lock();
        }, name);
        t.setDaemon(true);
        t.start();
    }
}
