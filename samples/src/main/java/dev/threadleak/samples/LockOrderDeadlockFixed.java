package dev.threadleak.samples;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * Fixed twin of {@link LockOrderDeadlock}: both threads lock the two accounts in one consistent order
 * (lower id first), so the transfers complete and the threads end.
 */
public final class LockOrderDeadlockFixed {

    static final int TRANSFERS = 1_000;

    public static void main(String[] args) throws Exception {
        int seconds = Samples.seconds(args);
        System.out.println("LockOrderDeadlockFixed: two threads transfer money between two accounts for " + seconds
                + " s, locking them in account-id order; the transfers complete");
        Account a = new Account(1, 1_000_000);
        Account b = new Account(2, 1_000_000);
        CyclicBarrier bothReady = new CyclicBarrier(2);
        Thread t1 = startTransfers("transfer-1", a, b, bothReady);
        Thread t2 = startTransfers("transfer-2", b, a, bothReady);
        long deadline = Samples.deadline(seconds);
        t1.join();
        t2.join();
        if (a.balance() + b.balance() != 2_000_000) {
            System.err.println("LockOrderDeadlockFixed: money was lost");
            System.exit(1);
        }
        while (Samples.before(deadline)) {
            Samples.pause(100, deadline);
        }
        System.exit(0);
    }

    static Thread startTransfers(String name, Account from, Account to, CyclicBarrier barrier) {
        Thread t = new Thread(() -> transferMany(from, to, barrier), name);
        t.start();
        return t;
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
        barrier.await(); // both threads contend for the locks at the same moment, as in the leaky twin
        Account first = from.id < to.id ? from : to;
        Account second = first == from ? to : from;
        synchronized (first) {
            synchronized (second) {
                from.add(-amount);
                to.add(amount);
            }
        }
    }

    private LockOrderDeadlockFixed() {
    }
}
