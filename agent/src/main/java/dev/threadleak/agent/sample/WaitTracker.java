package dev.threadleak.agent.sample;

import dev.threadleak.agent.registry.LongMap;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.lang.management.LockInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

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
    /** {@link Wait#waitFrame} not yet found. */
    private static final int UNKNOWN = Integer.MIN_VALUE;

    /**
     * A wait as read: state, lock, stack and what they say. Immutable but for {@link #seen} and the cached wait frame,
     * and shared by every thread read in an equal one (interned per round): a pool of 10,000 parked workers keeps one
     * stack between samples, not 10,000 copies of it.
     */
    static final class Wait {
        private final Thread.State state;
        private final String lock;
        private final List<Frame> stack;
        private final WaitReason reason;
        /** Held monitors, when this was a whole read (a dump's); null when not (a periodic sample's, 64 frames at most). */
        private final List<OwnedMonitor> monitors;
        /** State, lock and top frames: what "the same wait" compares. */
        private final int key;
        private final int hash;
        private int waitFrame = UNKNOWN;
        private int seen;

        private Wait(Thread.State state, String lock, StackTraceElement[] raw, List<Frame> stack, WaitReason reason,
                     List<OwnedMonitor> monitors) {
            this.state = state;
            this.lock = lock;
            this.stack = stack;
            this.reason = reason;
            this.monitors = monitors;
            this.key = Objects.hash(state, lock, Arrays.hashCode(Arrays.copyOf(raw, Math.min(raw.length, TOP_FRAMES))));
            this.hash = ((key * 31 + stack.hashCode()) * 31 + reason.reason().hashCode()) * 31 + (monitors == null ? 0 : 1);
        }

        /**
         * Written out, not a record's (see WaitReason.running). Waits holding monitors are never interned (see
         * {@link #observe}), so their lists, of records, are never compared.
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Wait w && w.hash == hash && w.key == key && w.state == state && Objects.equals(w.lock, lock)
                    && w.reason.idle() == reason.idle() && w.reason.reason().equals(reason.reason()) && w.stack.equals(stack)
                    && (w.monitors == null) == (monitors == null);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A thread's last read: its wait, its wake-up count then, and since when it has been in that wait. */
    static final class Track {
        private Wait wait;
        private long wakeups;
        private long sinceMs;
        private int seen;

        List<Frame> stack() { return wait.stack; }
        /** The lock of the wait, as {@code LockInfo} prints it, shared by every thread in an equal wait; or null. */
        String lock() { return wait.lock; }
        /** Monitors held at the last whole read; none known if the wait was not read whole. */
        List<OwnedMonitor> monitors() { return wait.monitors == null ? List.of() : wait.monitors; }
        WaitReason reason() { return wait.reason; }
        long sinceMs() { return sinceMs; }

        /** The stack's wait frame, found by {@code find} once for each distinct wait. */
        int waitFrame(ToIntFunction<List<Frame>> find) {
            if (wait.waitFrame == UNKNOWN) wait.waitFrame = find.applyAsInt(wait.stack);
            return wait.waitFrame;
        }
    }

    private final LongMap<Track> tracks = new LongMap<>();
    /** The distinct waits the tracks hold; each is itself its key. */
    private final Map<Wait, Wait> waits = new HashMap<>();
    /**
     * The distinct stacks those waits hold: threads in waits that differ only by their lock (each parked on its own
     * condition) share one stack all the same.
     */
    private final Map<List<Frame>, List<Frame>> stacks = new HashMap<>();
    private int round;

    /** Starts a sampling round; threads not read, kept or found still waiting in it are forgotten by {@link #endRound}. */
    void beginRound() {
        round++;
    }

    /**
     * The thread's track when it has provably stayed in the same wait since its last read: same state and
     * lock, not RUNNABLE (a running thread's stack moves without any count changing), and no wake-up (its
     * waited + blocked count is unchanged), and, if {@code whole}, its last read was whole (a dump's: every frame and the
     * monitors held). Null when its stack must be read again.
     */
    Track stillWaiting(long tid, Thread.State state, LockInfo lock, long wakeups, boolean whole) {
        Track t = tracks.get(tid);
        if (t == null || wakeups < 0 || state == Thread.State.RUNNABLE || t.wait.state != state || t.wakeups != wakeups
                || !sameLock(t.wait.lock, lock) || (whole && t.wait.monitors == null)) {
            return null;
        }
        seen(t);
        return t;
    }

    /**
     * Whether {@code name} is what {@code lock} prints ({@code LockInfo.toString}: class name, {@code @}, identity hash in
     * hex), found without printing it: a sample asks this of every thread, and most have not moved.
     */
    static boolean sameLock(String name, LockInfo lock) {
        if (name == null || lock == null) return name == null && lock == null;
        String className = lock.getClassName();
        int at = className.length();
        if (name.length() <= at + 1 || name.charAt(at) != '@' || !name.startsWith(className)) return false;
        try {
            return Integer.parseUnsignedInt(name, at + 1, name.length(), 16) == lock.getIdentityHashCode();
        } catch (NumberFormatException notAHash) {
            return false;
        }
    }

    /**
     * Records a thread read now, stack included, and returns its track.
     *
     * @param wakeups  waited + blocked count (ThreadInfo), or -1 where unknown (virtual threads)
     * @param monitors the monitors it holds, read whole (a dump's read); null when not read whole
     */
    Track observe(long tid, Thread.State state, StackTraceElement[] raw, List<Frame> stack, String lock, long wakeups,
                  WaitReason reason, List<OwnedMonitor> monitors, long nowMs) {
        List<Frame> shared = stacks.putIfAbsent(stack, stack);
        Wait read = new Wait(state, lock, raw, shared == null ? stack : shared, reason, monitors);
        // a thread holding monitors has a wait of its own: few threads do, and their locks tell them apart anyway
        Wait wait = monitors != null && !monitors.isEmpty() ? null : waits.putIfAbsent(read, read);
        if (wait == null) wait = read;
        Track t = tracks.get(tid);
        if (t == null) {
            t = new Track();
            tracks.put(tid, t);
            t.sinceMs = nowMs;
        } else if (t.wait.key != wait.key || t.wakeups != wakeups) {
            t.sinceMs = nowMs;
        }
        t.wait = wait;
        t.wakeups = wakeups;
        seen(t);
        return t;
    }

    /** The last track of a thread not read this round (over the read budget), kept as it was; null if never read. */
    Track keep(long tid) {
        Track t = tracks.get(tid);
        if (t != null) seen(t);
        return t;
    }

    private void seen(Track t) {
        t.seen = round;
        t.wait.seen = round;
    }

    /** Forgets threads that were not seen this round (they ended), and the waits no thread is in any more. */
    void endRound() {
        for (int i = 0; i < tracks.end(); i++) {
            Track t = tracks.valueAt(i);
            if (t != null && t.seen != round) tracks.removeAt(i);
        }
        if (waits.values().removeIf(w -> w.seen != round)) {
            stacks.clear();
            for (Wait w : waits.values()) stacks.put(w.stack, w.stack);
        }
    }

    /** Distinct waits kept: at most one per thread tracked, one for any number of threads in equal waits. */
    int distinctWaits() {
        return waits.size();
    }

    /** Distinct stacks kept: at most one per wait. */
    int distinctStacks() {
        return stacks.size();
    }
}
