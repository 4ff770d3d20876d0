package dev.threadleak.corpus;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: one {@code ForkJoinPool(12)} built once; each step the recursive work fans out wider (level 1 to 12
 * leaves, each waiting 30 ms as a call would), so the pool starts workers as the fan-out grows and keeps them.
 * Shut down at exit.
 */
public final class ForkJoinFill {
    public static void main(String[] args) throws Exception {
        ForkJoinPool pool = new ForkJoinPool(12);
        Ramp.run(args, 12, (level, deadline) -> {
            while (System.nanoTime() < deadline) pool.invoke(new Split(0, level));
        }, () -> {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        });
    }

    /** Leaves {@code from} (inclusive) to {@code to} (exclusive): split in two until one is left. */
    private static final class Split extends RecursiveAction {
        private final int from, to;

        Split(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Split(from, mid), new Split(mid, to));
        }
    }
}
