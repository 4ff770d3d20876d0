package dev.threadleak.corpus;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * Caffeine: a cache per call whose expiry scheduler gets its own executor, never shut down; against one
 * cache on Caffeine's shared system scheduler.
 */
public final class CaffeineCache {
    private static final Cache<Integer, Integer> SHARED = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(1))
            .scheduler(Scheduler.systemScheduler()).build();

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            Cache<Integer, Integer> cache = Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(1))
                    .scheduler(Scheduler.forScheduledExecutorService(Executors.newSingleThreadScheduledExecutor())) // LEAK: an executor per cache
                    .build();
            cache.put(n, n * 2);
        }, n -> SHARED.put(n, n * 2));
    }
}
