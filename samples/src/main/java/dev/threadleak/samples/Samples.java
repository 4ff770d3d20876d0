package dev.threadleak.samples;

import java.util.concurrent.TimeUnit;

/** Small helpers shared by the samples: run-time argument and request pacing. */
final class Samples {

    static final int DEFAULT_SECONDS = 10;

    private Samples() {
    }

    /** args[0], optional: how many seconds to run (default 10). Exits 2 on a bad value. */
    static int seconds(String[] args) {
        if (args.length == 0) {
            return DEFAULT_SECONDS;
        }
        try {
            int s = Integer.parseInt(args[0].trim());
            if (s < 0) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException e) {
            System.err.println("usage: <sample> [seconds]   (seconds must be a non-negative integer, got '" + args[0] + "')");
            System.exit(2);
            return 0; // not reached
        }
    }

    /** One request (or call) of a sample's main loop. */
    interface Request {
        void handle(int n) throws Throwable;
    }

    /**
     * The samples' main loop: prints the banner (its {@code %d} is the run time in seconds, args[0]), then
     * handles request 1, 2, 3, ... one every 100 ms until the time is up, and returns.
     */
    static void serve(String[] args, String banner, Request request) throws Throwable {
        int seconds = seconds(args);
        System.out.println(String.format(banner, seconds));
        long deadline = deadline(seconds);
        for (int n = 1; before(deadline); n++) {
            request.handle(n);
            pause(100, deadline);
        }
    }

    /** System.nanoTime() value at which a run of the given length ends. */
    static long deadline(int seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    static boolean before(long deadline) {
        return System.nanoTime() - deadline < 0;
    }

    /** Paces requests in the main loop (never used for correctness), without passing the deadline. */
    static void pause(long millis, long deadline) throws InterruptedException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        long ms = Math.min(millis, left);
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    /** Busy work standing in for real request handling. */
    static long work(int n) {
        long h = n;
        for (int i = 0; i < 10_000; i++) {
            h = h * 31 + i;
        }
        return h;
    }
}
