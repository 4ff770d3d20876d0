package com.example;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Passes, and leaves two threads deadlocked behind: only the agent's exit dump of this JVM tells. */
class DeadlockIT {
    @Test
    void transfersBothWays() throws InterruptedException {
        Object a = new Object(), b = new Object();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread ab = new Thread(() -> transfer(a, b, bothHoldOne), "transfer-a-b");
        Thread ba = new Thread(() -> transfer(b, a, bothHoldOne), "transfer-b-a");
        ab.setDaemon(true);
        ba.setDaemon(true);
        ab.start();
        ba.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ab.getState() != Thread.State.BLOCKED || ba.getState() != Thread.State.BLOCKED) {
            if (System.nanoTime() > deadline) fail("not deadlocked within 10 s: " + ab.getState() + ", " + ba.getState());
            Thread.sleep(5);
        }
    }

    private static void transfer(Object from, Object to, CountDownLatch bothHoldOne) {
        synchronized (from) {
            bothHoldOne.countDown();
            try {
                bothHoldOne.await();
            } catch (InterruptedException e) {
                return;
            }
            synchronized (to) {
                System.out.println("transferred");
            }
        }
    }
}
