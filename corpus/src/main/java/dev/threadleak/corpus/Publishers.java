package dev.threadleak.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: the application starts its long-lived publisher threads one per step up to 6, each looping: take a
 * message from a shared queue, publish it (a short wait); the program queues messages every step. Besides, every
 * step starts two short-lived threads named with two numbers, {@code after-<n>-<step>} (n counts them), that each
 * run 2.5 steps and end: about 5 of them alive at a time (5 or 6 numbers n alive, the highest growing), never
 * more. Publishers are stopped and joined at exit.
 */
public final class Publishers {
    private static final Object STOP = new Object();

    public static void main(String[] args) throws Exception {
        long stepMillis = args.length > 0 ? Long.parseLong(args[0]) : 400;
        LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        List<Thread> publishers = new ArrayList<>();
        List<Thread> after = new ArrayList<>();
        int[] step = {0};
        Ramp.run(args, 6, (level, deadline) -> {
            step[0]++;
            while (publishers.size() < level) {
                Thread t = new Thread(() -> publish(queue), "publisher-" + (publishers.size() + 1));
                t.start();
                publishers.add(t);
            }
            for (int i = 0; i < 20; i++) queue.add(i);
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    try {
                        Thread.sleep(stepMillis * 5 / 2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "after-" + (after.size() + 1) + "-" + step[0]);
                t.start();
                after.add(t);
            }
        }, () -> {
            for (int i = 0; i < publishers.size(); i++) queue.add(STOP);
            for (Thread t : publishers) t.join();
            for (Thread t : after) t.join();
        });
    }

    private static void publish(LinkedBlockingQueue<Object> queue) {
        try {
            for (Object message = queue.take(); message != STOP; message = queue.take()) {
                TimeUnit.MILLISECONDS.sleep(10); // publishing
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
