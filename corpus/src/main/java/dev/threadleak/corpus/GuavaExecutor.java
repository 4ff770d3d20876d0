package dev.threadleak.corpus;

import com.google.common.util.concurrent.ListeningExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.Executors;

/** Guava: a {@code ThreadFactoryBuilder} pool per call never shut down, against one pool for the program. */
public final class GuavaExecutor {
    private static final ListeningExecutorService SHARED = newPool();

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            ListeningExecutorService pool = newPool();
            pool.submit(() -> n * 2).get();
        }, n -> SHARED.submit(() -> n * 2).get());
    }

    private static ListeningExecutorService newPool() {
        return MoreExecutors.listeningDecorator(Executors.newFixedThreadPool(2, // LEAK: a pool per call
                new ThreadFactoryBuilder().setNameFormat("report-%d").setDaemon(true).build()));
    }
}
