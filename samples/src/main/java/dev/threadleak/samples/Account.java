package dev.threadleak.samples;

/** A bank account for the lock-order samples. Guarded by its own monitor. */
final class Account {

    final int id;
    private long balance;

    Account(int id, long balance) {
        this.id = id;
        this.balance = balance;
    }

    /** Caller must hold this account's monitor. */
    void add(long amount) {
        balance += amount;
    }

    synchronized long balance() {
        return balance;
    }
}
