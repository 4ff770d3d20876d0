package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;

/** Starts parked daemon threads whose names hold NUL, control characters, a lone surrogate and 10,000 characters; exits. */
public final class OddThreadNames {
    public static final String[] NAMES = {"nul\u0000inside", "\u0000", "line\nbreak\ttab\u001b[31m", "lone \uD800 surrogate",
            "x".repeat(10_000), "quote \" and \\ backslash"};

    private OddThreadNames() {}

    public static void main(String[] args) {
        CountDownLatch never = new CountDownLatch(1);
        for (String name : NAMES) {
            Thread t = new Thread(() -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }
        System.out.println("started " + NAMES.length);
    }
}
