package dev.threadleak.agent.it.apps;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** An application's own pool class, two constructors deep, built in main and never shut down; prints "built". */
public final class SubclassPool {
    private SubclassPool() {}

    /** The application's pool: its constructors call super(...), which is not where the pool is built. */
    static class IngestPool extends ThreadPoolExecutor {
        IngestPool() {
            this(2);
        }

        IngestPool(int workers) {
            super(workers, workers, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        }
    }

    static final class TunedIngestPool extends IngestPool {
        TunedIngestPool() {
            super();
        }
    }

    static Object kept;

    public static void main(String[] args) {
        TunedIngestPool pool = new TunedIngestPool(); // BUILT: the line to blame
        pool.execute(() -> { });
        kept = pool;
        System.out.println("built");
        System.exit(0); // its workers are not daemons: the exit dump still sees them
    }
}
