package dev.threadleak.corpus;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** ScheduledThreadPoolExecutor: a heartbeat pool per call never shut down, against one shared pool. */
public final class ScheduledPool {
    private static final ScheduledThreadPoolExecutor SHARED = new ScheduledThreadPoolExecutor(1);

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            ScheduledThreadPoolExecutor heartbeat = new ScheduledThreadPoolExecutor(1); // LEAK: a pool per call
            heartbeat.scheduleAtFixedRate(() -> { }, 0, 50, TimeUnit.MILLISECONDS);
        }, n -> SHARED.schedule(() -> { }, 10, TimeUnit.MILLISECONDS).get());
    }
}
