package dev.threadleak.agent.sample;

import dev.threadleak.agent.registry.LongMap;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Reads platform threads through ThreadMXBean: every stack for a dump, in batches; for a periodic sample only
 * the stacks of threads that may have moved, within a budget, round-robin. Virtual threads are the
 * {@link Sampler}'s (ThreadMXBean cannot see them).
 */
final class PlatformThreads {
    /** Frames read per platform thread in periodic samples (dumps read whole stacks). */
    static final int SAMPLE_DEPTH = 64;
    /** Platform-thread stacks read per periodic sample: only threads that moved, round-robin beyond this. */
    static final int BUDGET_SAMPLE = 2_000;
    /**
     * Stacks read per ThreadMXBean call, in dumps and samples alike. Each call is one safepoint, and HotSpot keeps the
     * stacks it captures in native memory until the call returns; glibc's malloc arenas then keep those pages for good.
     * Measured on JDK 17 with 10,000 parked threads (RESULTS.md, Q): reading all their stacks in one call grows the
     * process's RSS by 410 MB (about 40 KB a thread), in calls of 128 by 8 MB; 2,000 at once (a sample's budget), 80 MB.
     */
    static final int STACK_BATCH = 128;
    /**
     * States read per ThreadMXBean call (no stack, no safepoint). HotSpot builds a call's answers in native memory too, and
     * the malloc arena keeps its largest call's: all 10,000 threads of a JVM at once grew its RSS by 4-6 MB (RESULTS.md, Q).
     */
    static final int STATE_BATCH = 1024;
    /**
     * A call that took this long waited for its safepoint (a normal one at 10,000 threads takes about 2.4 ms): thousands of
     * runnable threads, as when a JVM exits while its threads end, must each be scheduled before any safepoint begins
     * (250-310 ms each with 10,000 on 2 cores). The calls after it read four times as many stacks, up to
     * {@link #MAX_STACK_BATCH}: fewer safepoints to wait for, for a bounded price in memory.
     */
    static final long SLOW_BATCH_NANOS = 50_000_000;
    /** The most stacks read per call, slow safepoints or not: about 40 MB of native memory while it lasts (see above). */
    static final int MAX_STACK_BATCH = 1024;

    private final ThreadMXBean mx;
    private final int budget;
    private final LongSupplier clock;
    private int cursor;

    /** @param budget stacks read per periodic sample ({@link #BUDGET_SAMPLE}; smaller in tests) */
    PlatformThreads(ThreadMXBean mx, int budget) {
        this(mx, budget, System::nanoTime);
    }

    /** @param clock nanoseconds, to time each call (a test's own clock) */
    PlatformThreads(ThreadMXBean mx, int budget, LongSupplier clock) {
        this.mx = mx;
        this.budget = budget;
        this.clock = clock;
    }

    /**
     * For dumps: every platform thread's state, then the whole stack and held monitors (found on its stack, cheap) of
     * each that may have moved since it was last read whole, {@link #STACK_BATCH} at a time. A thread provably still in
     * that wait (see {@link WaitTracker#stillWaiting}) holds the same frames and monitors, and keeps that read: each
     * batch is a safepoint, whose cost grows with every thread the JVM has (about 2.4 ms each at 10,000 threads), and
     * most threads of a big JVM have not moved since the last dump.
     *
     * <p>Ownable synchronizers are NOT read: HotSpot has no per-thread list of them and finds them by walking
     * the whole heap at a safepoint ({@code VM_ThreadDump::doit} → {@code ConcurrentLocksDump::dump_at_safepoint}
     * → {@code HeapInspection::find_instances_at_safepoint}, JDK 17 to 25), whichever threads are asked for —
     * hundreds of milliseconds on a heap of a few GB, on every dump. The ones other threads wait for are
     * filled in without it by {@code Sampler.withContendedSynchronizers}.
     */
    LongMap<ThreadInfo> readAll(LongMap<ThreadInfo> infos, WaitTracker waits) {
        long[] moved = states(infos, waits, true);
        return readStacks(moved, moved.length, mx.isObjectMonitorUsageSupported(), Integer.MAX_VALUE, infos);
    }

    /**
     * For periodic samples: every platform thread's state, lock and wake-up counts without its stack (cheap),
     * then the stacks of only those threads that may have moved since their last read, at most
     * {@code budget} of them, round-robin. Held locks are left to dumps.
     */
    LongMap<ThreadInfo> readMoved(LongMap<ThreadInfo> infos, WaitTracker waits) {
        long[] moved = states(infos, waits, false);
        if (moved.length <= budget) return readStacks(moved, moved.length, false, SAMPLE_DEPTH, infos);
        long[] chosen = new long[budget];
        for (int i = 0; i < budget; i++) chosen[i] = moved[(cursor + i) % moved.length];
        cursor = (cursor + budget) % moved.length;
        return readStacks(chosen, budget, false, SAMPLE_DEPTH, infos);
    }

    /**
     * Every platform thread's state, lock and wake-up counts, without its stack (no safepoint), into {@code infos};
     * returns the threads whose stacks must be read: not provably still in the wait of their last read ({@code whole}:
     * their last whole read).
     */
    private long[] states(LongMap<ThreadInfo> infos, WaitTracker waits, boolean whole) {
        long[] ids = mx.getAllThreadIds();
        long[] moved = new long[ids.length];
        int n = 0;
        for (int from = 0; from < ids.length; from += STATE_BATCH) {
            for (ThreadInfo info : mx.getThreadInfo(Arrays.copyOfRange(ids, from, Math.min(ids.length, from + STATE_BATCH)), 0)) {
                if (info == null) continue;
                infos.put(info.getThreadId(), info);
                if (waits.stillWaiting(info.getThreadId(), info.getThreadState(), info.getLockInfo(),
                        info.getWaitedCount() + info.getBlockedCount(), whole) == null) {
                    moved[n++] = info.getThreadId();
                }
            }
        }
        return Arrays.copyOf(moved, n);
    }

    /**
     * The threads' stacks (and held monitors if asked), {@link #STACK_BATCH} at a time (more after a slow call, see
     * {@link #SLOW_BATCH_NANOS}), into {@code infos}; returns them by id (one that ended meanwhile is left out).
     */
    private LongMap<ThreadInfo> readStacks(long[] ids, int count, boolean monitors, int depth, LongMap<ThreadInfo> infos) {
        LongMap<ThreadInfo> read = new LongMap<>();
        int size = STACK_BATCH;
        for (int from = 0, to; from < count; from = to) {
            to = Math.min(count, from + size);
            long[] batch = Arrays.copyOfRange(ids, from, to);
            long began = clock.getAsLong();
            for (ThreadInfo info : mx.getThreadInfo(batch, monitors, false, depth)) {
                if (info == null) continue;
                infos.put(info.getThreadId(), info);
                read.put(info.getThreadId(), info);
            }
            if (clock.getAsLong() - began > SLOW_BATCH_NANOS) size = Math.min(MAX_STACK_BATCH, size * 4);
        }
        return read;
    }
}
