package dev.threadleak.samples;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * LEAK: two threads ("transfer-1", "transfer-2", non-daemon) move money between the same two accounts,
 * each locking the source account first and then the target one, i.e. in opposite orders. A barrier
 * makes both hold their first lock before either takes the second, so they deadlock deterministically
 * on the first transfer and both threads are stuck forever.
 */
public final class LockOrderDeadlock {

    static final int TRANSFERS = 1_000;

    public static void main(String[] args) throws Exception {
        int seconds = Samples.seconds(args);
        System.out.println("LockOrderDeadlock: two threads transfer money between two accounts for " + seconds
                + " s, locking them in opposite order; they deadlock on the first transfer");
        Account a = new Account(1, 1_000_000);
        Account b = new Account(2, 1_000_000);
        CyclicBarrier bothHoldFirstLock = new CyclicBarrier(2);
        startTransfers("transfer-1", a, b, bothHoldFirstLock);
        startTransfers("transfer-2", b, a, bothHoldFirstLock);
        long deadline = Samples.deadline(seconds);
        while (Samples.before(deadline)) {
            Samples.pause(100, deadline);
        }
        // The deadlocked threads are non-daemon and would keep the JVM alive: exit deliberately.
        System.exit(0);
    }

    static void startTransfers(String name, Account from, Account to, CyclicBarrier barrier) {
        new Thread(() -> transferMany(from, to, barrier), name).start(); // LEAK: transfer threads lock the two accounts in opposite order and deadlock
    }

    static void transferMany(Account from, Account to, CyclicBarrier barrier) {
        try {
            for (int i = 0; i < TRANSFERS; i++) {
                transfer(from, to, 1, barrier);
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void transfer(Account from, Account to, long amount, CyclicBarrier barrier)
            throws InterruptedException, BrokenBarrierException {
        synchronized (from) {
            barrier.await(); // both threads now hold their first lock
            synchronized (to) { // DEADLOCK: each thread waits here for the lock the other one holds
                from.add(-amount);
                to.add(amount);
            }
        }
    }

    private LockOrderDeadlock() {
    }
}
