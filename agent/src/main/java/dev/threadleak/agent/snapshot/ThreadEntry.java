package dev.threadleak.agent.snapshot;

import java.util.List;
import java.util.Objects;

/**
 * One live thread at the snapshot instant. Field names follow the JDK's JSON thread dump
 * ({@code tid, name, state, virtual, stack, parkBlocker, blockedOn, waitingOn, monitorsOwned}); the rest is
 * what only threadleak knows.
 *
 * @param stack        current stack, innermost first; empty when not captured
 * @param parkBlocker  the object a parked thread waits for ({@code Class@hash}), or null
 * @param blockedOn    the monitor a BLOCKED thread waits to enter, or null
 * @param waitingOn    the monitor of an {@code Object.wait}, or null
 * @param lockOwner    the thread holding what this one waits for, or null
 * @param monitorsOwned monitors held, each with the stack depth that locked it
 * @param synchronizersOwned ownable synchronizers held ({@code Class@hash}) that another thread is parked
 *                     waiting for; held ones nobody waits for are not listed (that would take a heap walk)
 * @param origin       how the agent learned of the thread
 * @param site         creation site id, or -1 when the thread was not seen starting (and for the agent's own)
 * @param startedAtMs  epoch ms of the start, or of first sight for threads not seen starting
 * @param starter      the thread that called start, or null
 * @param agentThread  true for threadleak's own threads (a dump's {@code agent} field)
 * @param waitReason   what the thread is doing, in words ({@code parked on LinkedBlockingQueue.take},
 *                     {@code running}); null when it was not sampled
 * @param idle         waiting for work (a pool worker in getTask, a listener in accept): never long-blocked
 * @param waitingForMs how long it has stayed in the same wait, precise to one sample interval; 0 when running
 * @param waitFrame    index into {@code stack} of the first application frame (the blame rules applied to the
 *                     current stack): where a waiting thread is stuck; -1 when none or not waiting
 * @param executor     id of the executor this thread is a worker of, or -1
 * @param task         the task it is running, for pool workers; null otherwise or when idle
 */
public record ThreadEntry(long tid, String name, String state, boolean virtual, boolean daemon, int priority,
                          List<Frame> stack, String parkBlocker, String blockedOn, String waitingOn,
                          ThreadRef lockOwner, List<OwnedMonitor> monitorsOwned, List<String> synchronizersOwned,
                          Origin origin, int site, long startedAtMs, ThreadRef starter, boolean agentThread,
                          String waitReason, boolean idle, long waitingForMs, int waitFrame, int executor,
                          RunningTask task) {

    /** Where a waiting thread is stuck ({@link #waitFrame}), or null. */
    public Frame waitFrameOrNull() {
        return waitFrame >= 0 && waitFrame < stack.size() ? stack.get(waitFrame) : null;
    }

    /** What a thread that is not waiting is doing. */
    public static final String RUNNING = "running";

    /**
     * In a wait that is not waiting for work: what becomes long-blocked once it lasts the threshold. Not the
     * {@code BLOCKED} state: parked, sleeping and {@code Object.wait} count too; running, idle and unsampled do not.
     */
    public boolean waitingNotIdle() {
        return !idle && waitReason != null && !waitReason.equals(RUNNING);
    }

    /** A thread named by id and name. */
    public record ThreadRef(long tid, String name) {}

    /** A monitor held, and the depth of the frame that locked it (jstack's "- locked"). */
    public record OwnedMonitor(int depth, String lock) {}

    /**
     * A builder for an entry named by its id and name; every other field starts as a dump that leaves it out reads
     * (no stack, no lock, no site, executor or wait frame, not idle, priority 5), and {@code state}, {@code origin}
     * must be set. Fields are set by name: twenty-four positionals, several of one type side by side, are a swap
     * waiting to happen.
     */
    public static Builder builder(long tid, String name) {
        return new Builder(tid, name);
    }

    /** A builder holding this entry's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder(tid, name).state(state).virtual(virtual).daemon(daemon).priority(priority).stack(stack)
                .parkBlocker(parkBlocker).blockedOn(blockedOn).waitingOn(waitingOn).lockOwner(lockOwner)
                .monitorsOwned(monitorsOwned).synchronizersOwned(synchronizersOwned).origin(origin).site(site)
                .startedAtMs(startedAtMs).starter(starter).agentThread(agentThread).waitReason(waitReason).idle(idle)
                .waitingForMs(waitingForMs).waitFrame(waitFrame).executor(executor).task(task);
    }

    /** Sets {@link ThreadEntry}'s fields by name (see the record's parameters for what each means). */
    public static final class Builder {
        private final long tid;
        private final String name;
        private String state;
        private boolean virtual, daemon;
        private int priority = Thread.NORM_PRIORITY;
        private List<Frame> stack = List.of();
        private String parkBlocker, blockedOn, waitingOn;
        private ThreadRef lockOwner;
        private List<OwnedMonitor> monitorsOwned = List.of();
        private List<String> synchronizersOwned = List.of();
        private Origin origin;
        private int site = -1;
        private long startedAtMs;
        private ThreadRef starter;
        private boolean agentThread;
        private String waitReason;
        private boolean idle;
        private long waitingForMs;
        private int waitFrame = -1;
        private int executor = -1;
        private RunningTask task;

        private Builder(long tid, String name) {
            this.tid = tid;
            this.name = name;
        }

        public Builder state(String v) { state = v; return this; }
        public Builder virtual(boolean v) { virtual = v; return this; }
        public Builder daemon(boolean v) { daemon = v; return this; }
        public Builder priority(int v) { priority = v; return this; }
        public Builder stack(List<Frame> v) { stack = v; return this; }
        public Builder parkBlocker(String v) { parkBlocker = v; return this; }
        public Builder blockedOn(String v) { blockedOn = v; return this; }
        public Builder waitingOn(String v) { waitingOn = v; return this; }
        public Builder lockOwner(ThreadRef v) { lockOwner = v; return this; }
        public Builder monitorsOwned(List<OwnedMonitor> v) { monitorsOwned = v; return this; }
        public Builder synchronizersOwned(List<String> v) { synchronizersOwned = v; return this; }
        public Builder origin(Origin v) { origin = v; return this; }
        public Builder site(int v) { site = v; return this; }
        public Builder startedAtMs(long v) { startedAtMs = v; return this; }
        public Builder starter(ThreadRef v) { starter = v; return this; }
        public Builder agentThread(boolean v) { agentThread = v; return this; }
        public Builder waitReason(String v) { waitReason = v; return this; }
        public Builder idle(boolean v) { idle = v; return this; }
        public Builder waitingForMs(long v) { waitingForMs = v; return this; }
        public Builder waitFrame(int v) { waitFrame = v; return this; }
        public Builder executor(int v) { executor = v; return this; }
        public Builder task(RunningTask v) { task = v; return this; }

        public ThreadEntry build() {
            return new ThreadEntry(tid, name, Objects.requireNonNull(state, "state"), virtual, daemon, priority, stack,
                    parkBlocker, blockedOn, waitingOn, lockOwner, monitorsOwned, synchronizersOwned,
                    Objects.requireNonNull(origin, "origin"), site, startedAtMs, starter, agentThread, waitReason, idle,
                    waitingForMs, waitFrame, executor, task);
        }
    }

    public long ageMs(long atMs) {
        return Math.max(0, atMs - startedAtMs);
    }
}
