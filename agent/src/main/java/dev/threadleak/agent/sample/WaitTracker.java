package dev.threadleak.agent.sample;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers, per thread, the wait it was in at the last sample and since when, so that "waiting for" means
 * the same wait: same state, same lock, same top frames, and (for platform threads) no wake-up in between,
 * which ThreadMXBean's waited/blocked counts reveal. A thread looping around {@code sleep} or {@code poll}
 * therefore starts a new wait at every sample instead of looking stuck. Precise to one sample interval.
 */
final class WaitTracker {
    /** Frames from the top that identify a wait. */
    private static final int TOP_FRAMES = 8;

    private static final class Track {
        int key;
        long wakeups;
        long sinceMs;
        WaitReason reason;
        int seen;
    }

    /** A thread's last observed wait and since when. */
    record Observed(WaitReason reason, long sinceMs) {}

    private final Map<Long, Track> tracks = new HashMap<>();
    private int round;

    /** Starts a sampling round; threads not {@link #observe observed} or {@link #keep kept} in it are forgotten by {@link #endRound}. */
    void beginRound() {
        round++;
    }

    /**
     * Records what the thread is doing now and returns since when it has been doing it.
     *
     * @param wakeups waited + blocked count (ThreadInfo), or -1 where unknown (virtual threads)
     */
    long observe(long tid, Thread.State state, StackTraceElement[] stack, String lock, long wakeups, WaitReason reason, long nowMs) {
        int key = Objects.hash(state, lock, Arrays.hashCode(Arrays.copyOf(stack, Math.min(stack.length, TOP_FRAMES))));
        Track t = tracks.get(tid);
        if (t == null) {
            t = new Track();
            tracks.put(tid, t);
            t.sinceMs = nowMs;
        } else if (t.key != key || t.wakeups != wakeups) {
            t.sinceMs = nowMs;
        }
        t.key = key;
        t.wakeups = wakeups;
        t.reason = reason;
        t.seen = round;
        return t.sinceMs;
    }

    /** The last observed wait of a thread not read this round (the virtual-thread budget), kept as it was. */
    Observed keep(long tid) {
        Track t = tracks.get(tid);
        if (t == null) return null;
        t.seen = round;
        return new Observed(t.reason, t.sinceMs);
    }

    /** Forgets threads that were not seen this round: they ended. */
    void endRound() {
        tracks.values().removeIf(t -> t.seen != round);
    }
}
