package dev.threadleak.agent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Thread counts that rise slowly, one step every {@code args[1]} ms, beside a busy healthy pool; then a plateau of
 * as many steps, and exit. {@code args[0]}: {@code leak} (a single-thread executor per step, never shut down, until
 * the file {@code args[2]} exists; no plateau), {@code fill} (a fixed pool of 12 gaining a worker per step),
 * {@code burst} (10 threads at once that end a step later, every third step) or {@code cache} (8 clients, each with
 * a thread of its own, one per step).
 */
public final class SlowLeaks {
    private SlowLeaks() {}

    private static final List<Object> KEPT = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long stepMs = Long.parseLong(args[1]);
        ExecutorService healthy = Executors.newFixedThreadPool(4);
        Thread feeder = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                CountDownLatch done = new CountDownLatch(100);
                for (int i = 0; i < 100; i++) healthy.execute(done::countDown);
                try {
                    done.await();
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "feeder");
        feeder.setDaemon(true);
        feeder.start();
        ExecutorService pool = mode.equals("fill") ? Executors.newFixedThreadPool(12) : null;
        CountDownLatch never = new CountDownLatch(1);
        int steps = mode.equals("cache") ? 8 : mode.equals("leak") ? 1000 : 12;
        Path stop = args.length > 2 ? Path.of(args[2]) : null;
        for (int step = 0; step < steps && (stop == null || !Files.exists(stop)); step++) {
            switch (mode) {
                case "leak" -> {
                    ExecutorService client = Executors.newSingleThreadExecutor(); // LEAK: one per step, never shut down
                    client.execute(() -> { });
                    KEPT.add(client);
                }
                case "fill" -> pool.execute(() -> { });
                case "burst" -> {
                    if (step % 3 == 0) {
                        for (int i = 0; i < 10; i++) new Thread(() -> sleep(stepMs), "burst-" + i).start();
                    }
                }
                case "cache" -> {
                    Thread client = new Thread(() -> await(never), "client-" + step);
                    client.setDaemon(true);
                    client.start();
                    KEPT.add(client);
                }
                default -> throw new IllegalArgumentException("mode: " + mode);
            }
            Thread.sleep(stepMs); // the leak's pace, not a wait for something
        }
        if (!mode.equals("leak")) Thread.sleep(steps * stepMs); // the plateau (a leak has none)
        System.out.println(mode + " done");
        System.exit(0);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
