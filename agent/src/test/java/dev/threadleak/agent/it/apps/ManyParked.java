package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;

/**
 * Starts {@code count} parked daemon threads from one line, prints "parked N" and exits (the exit dump lists them), or
 * with a second argument lives that many seconds more first.
 */
public final class ManyParked {
    private ManyParked() {}

    public static void main(String[] args) throws InterruptedException {
        int count = Integer.parseInt(args[0]);
        CountDownLatch arrived = new CountDownLatch(count), never = new CountDownLatch(1);
        for (int i = 0; i < count; i++) {
            Thread t = new Thread(() -> {
                arrived.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "parked-" + i);
            t.setDaemon(true);
            t.start(); // SITE: every parked thread
        }
        arrived.await();
        System.out.println("parked " + count);
        if (args.length > 1) Thread.sleep(Long.parseLong(args[1]) * 1000); // living on for a test to read, not a timing it relies on
    }
}
