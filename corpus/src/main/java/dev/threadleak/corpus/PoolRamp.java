package dev.threadleak.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: one bounded request pool (2 to 24 workers, hand-off queue) built once, under concurrent requests
 * rising by 2 per step to 20 and staying there; every request sleeps 150 ms in the same code, so at the top
 * 20 workers share one stack, sleeping. The pool fills to about 20 workers and stays; shut down at exit.
 */
public final class PoolRamp {
    /** Requests arrive in rounds, one round per period; each is served in 150 ms, so the pool has slack to hand off. */
    private static final long ROUND_MILLIS = 200, SERVICE_MILLIS = 150;

    public static void main(String[] args) throws Exception {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 24, 60, TimeUnit.SECONDS, new SynchronousQueue<>());
        Ramp.run(args, 10, (level, deadline) -> {
            List<Callable<Object>> round = new ArrayList<>();
            for (int i = 0; i < 2 * level; i++) round.add(PoolRamp::handle);
            while (System.nanoTime() < deadline) {
                long next = System.nanoTime() + ROUND_MILLIS * 1_000_000L;
                for (var f : pool.invokeAll(round)) f.get();
                Ramp.sleepUntil(next);
            }
        }, () -> {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        });
    }

    /** One request: its work is a wait (a downstream call), the same line for every request. */
    private static Object handle() throws InterruptedException {
        Thread.sleep(SERVICE_MILLIS);
        return null;
    }
}
