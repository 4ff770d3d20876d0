package dev.threadleak.corpus;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The healthy programs' main loop: load rising one level per step up to a top level, held there for a plateau,
 * then the program closes what it built and exits. {@code <program> [stepMillis [plateauSteps]]} (400 ms and 5
 * steps by default); the first step comes {@link #TRAFFIC_AT_MILLIS} after the JVM started. Each step lasts at least {@code stepMillis} from its own start, so a slow first step (a
 * library loading on a busy machine) delays the ramp instead of squeezing it.
 */
final class Ramp {
    /** Traffic begins this long after the JVM started (a service is up before its first request); its pools are built before. */
    static final long TRAFFIC_AT_MILLIS = 1500;

    /** The load of one step: applies {@code level} (1 to the top level) until {@code deadline} (System.nanoTime). */
    interface Load {
        void apply(int level, long deadline) throws Exception;
    }

    static void run(String[] args, int topLevel, Load load, AutoCloseable close) throws Exception {
        long stepNanos = (args.length > 0 ? Long.parseLong(args[0]) : 400) * 1_000_000L;
        int plateau = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (close) {
            sleepUntil(System.nanoTime() + (TRAFFIC_AT_MILLIS - ManagementFactory.getRuntimeMXBean().getUptime()) * 1_000_000L);
            for (int step = 1; step <= topLevel + plateau; step++) {
                long deadline = System.nanoTime() + stepNanos;
                load.apply(Math.min(step, topLevel), deadline);
                sleepUntil(deadline);
            }
        }
        System.out.println("calls done");
        System.exit(0);
    }

    /**
     * Request streams on a pool of the program's: each loops its call until the run ends, and the program adds
     * streams as the load rises, so the pool runs exactly as many at once as the level asks. Closing ends the
     * streams (a failed one fails the program) and shuts the pool down.
     */
    static final class Streams implements AutoCloseable {
        private final ExecutorService pool;
        private final List<Future<?>> running = new ArrayList<>();
        private volatile boolean stop;

        Streams(ExecutorService pool) {
            this.pool = pool;
        }

        /** Starts streams until {@code count} run; each makes its call (the stream's number) over and over. */
        void rise(int count, Calls.Call call) throws Exception {
            for (Future<?> f : running) {
                if (f.isDone()) f.get(); // a stream that failed fails the program now
            }
            while (running.size() < count) {
                int n = running.size() + 1;
                running.add(pool.submit(() -> {
                    while (!stop) call.make(n);
                    return null;
                }));
            }
        }

        @Override
        public void close() throws Exception {
            stop = true;
            try {
                for (Future<?> f : running) f.get();
            } finally {
                pool.shutdown();
                if (!pool.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("streams did not end");
            }
        }
    }

    /** Sleeps until {@code deadline} (System.nanoTime); at once if it has passed. */
    static void sleepUntil(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) Thread.sleep(left / 1_000_000L, (int) (left % 1_000_000L));
    }

    private Ramp() {
    }
}
