package dev.threadleak.agent.boot;

import dev.threadleak.agent.snapshot.Sampling;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * Spaces the periodic samples so that they take at most {@link Sampling#BUDGET_PERCENT_OF_A_CORE} % of one core: a sample reads every
 * live thread, so its cost grows with the thread count (about 5 µs a platform thread on JDK 17), and at 20,000 threads
 * the {@code sample} interval alone would let it grow past the budget. Judged on the cheaper of the last two samples, so
 * that one slow sample (descheduled on a busy machine) does not stretch the interval; and only a sample of
 * {@link #STRETCH_FROM_NANOS} or more, of {@link #STRETCH_FROM_THREADS} live threads or more, stretches it: a small JVM
 * keeps the interval it was given, however short. (A young JVM's samples run the agent's code interpreted for their
 * first minute or so, and 37 threads' took 10 ms: cold code, not the thread count, which the budget is for.) Not
 * thread-safe: used under the pipeline's lock.
 */
final class SampleBudget {
    /** Samples cheaper than this never stretch the interval. */
    static final long STRETCH_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Samples of fewer live threads never stretch the interval (a warm sample of 500 costs about 2.5 ms on JDK 17). */
    static final long STRETCH_FROM_THREADS = 500;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long optionNanos;
    /** The last sample's cost, -1 before the first; the one before it, 0 before the second (so the first never stretches). */
    private long everyNanos, lastCostNanos = -1, previousCostNanos;

    SampleBudget(long optionNanos) {
        this.optionNanos = optionNanos;
        this.everyNanos = optionNanos;
    }

    /** The CPU time of the calling thread so far, or its wall clock where CPU time cannot be read. */
    static long cpuNanos() {
        long cpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        return cpu >= 0 ? cpu : System.nanoTime();
    }

    /** Takes the cost of a periodic sample just taken, of {@code threads} live ones; returns how long to wait before the next. */
    long afterSample(long costNanos, long threads) {
        previousCostNanos = Math.max(0, lastCostNanos);
        lastCostNanos = costNanos;
        long judged = Math.min(lastCostNanos, previousCostNanos);
        everyNanos = judged < STRETCH_FROM_NANOS || threads < STRETCH_FROM_THREADS ? optionNanos
                : Math.max(optionNanos, judged * (100 / Sampling.BUDGET_PERCENT_OF_A_CORE));
        return everyNanos;
    }

    /** The interval now in effect, in ns. */
    long everyNanos() {
        return everyNanos;
    }

    /** What snapshots say of it. */
    Sampling sampling() {
        return new Sampling(TimeUnit.NANOSECONDS.toMillis(optionNanos), TimeUnit.NANOSECONDS.toMillis(everyNanos),
                lastCostNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(lastCostNanos));
    }
}
