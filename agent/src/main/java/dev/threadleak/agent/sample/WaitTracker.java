package dev.threadleak.agent.sample;

import dev.threadleak.agent.snapshot.Frame;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers, per thread, what it was doing at its last read and since when, so that "waiting for" means
 * the same wait: same state, same lock, same top frames, and (for platform threads) no wake-up in between,
 * which ThreadMXBean's waited/blocked counts reveal. A thread looping around {@code sleep} or {@code poll}
 * therefore starts a new wait at every sample instead of looking stuck. Precise to one sample interval.
 *
 * <p>The same facts let a sample skip reading the stack of a thread that provably has not moved
 * ({@link #stillWaiting}): most threads of a big JVM sit in one wait for a long time, and walking their
 * stacks is most of what a sample costs.
 */
final class WaitTracker {
    /** Frames from the top that identify a wait. */
    private static final int TOP_FRAMES = 8;

    /** A thread's last read: its state, lock, stack, wait reason, and since when it has been in that wait. */
    static final class Track {
        private Thread.State state;
        private String lock;
        private long wakeups;
        private int key;
        private List<Frame> stack;
        private WaitReason reason;
        private long sinceMs;
        private int seen;

        List<Frame> stack() { return stack; }
        WaitReason reason() { return reason; }
        long sinceMs() { return sinceMs; }
    }

    private final Map<Long, Track> tracks = new HashMap<>();
    private int round;

    /** Starts a sampling round; threads not read, kept or found still waiting in it are forgotten by {@link #endRound}. */
    void beginRound() {
        round++;
    }

    /**
     * The thread's track when it has provably stayed in the same wait since its last read: same state and
     * lock, not RUNNABLE (a running thread's stack moves without any count changing), and no wake-up (its
     * waited + blocked count is unchanged). Null when its stack must be read again.
     */
    Track stillWaiting(long tid, Thread.State state, String lock, long wakeups) {
        Track t = tracks.get(tid);
        if (t == null || wakeups < 0 || state == Thread.State.RUNNABLE || t.state != state || t.wakeups != wakeups
                || !Objects.equals(t.lock, lock)) {
            return null;
        }
        t.seen = round;
        return t;
    }

    /**
     * Records a thread read now, stack included, and returns its track.
     *
     * @param wakeups waited + blocked count (ThreadInfo), or -1 where unknown (virtual threads)
     */
    Track observe(long tid, Thread.State state, StackTraceElement[] raw, List<Frame> stack, String lock, long wakeups,
                  WaitReason reason, long nowMs) {
        int key = Objects.hash(state, lock, Arrays.hashCode(Arrays.copyOf(raw, Math.min(raw.length, TOP_FRAMES))));
        Track t = tracks.get(tid);
        if (t == null) {
            t = new Track();
            tracks.put(tid, t);
            t.sinceMs = nowMs;
        } else if (t.key != key || t.wakeups != wakeups) {
            t.sinceMs = nowMs;
        }
        t.state = state;
        t.lock = lock;
        t.key = key;
        t.wakeups = wakeups;
        t.stack = stack;
        t.reason = reason;
        t.seen = round;
        return t;
    }

    /** The last track of a thread not read this round (over the read budget), kept as it was; null if never read. */
    Track keep(long tid) {
        Track t = tracks.get(tid);
        if (t != null) t.seen = round;
        return t;
    }

    /** Forgets threads that were not seen this round: they ended. */
    void endRound() {
        tracks.values().removeIf(t -> t.seen != round);
    }
}
