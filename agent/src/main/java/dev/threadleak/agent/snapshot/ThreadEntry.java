package dev.threadleak.agent.snapshot;

import java.util.List;

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
 * @param agent        true for threadleak's own threads
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
                          Origin origin, int site, long startedAtMs, ThreadRef starter, boolean agent,
                          String waitReason, boolean idle, long waitingForMs, int waitFrame, int executor,
                          RunningTask task) {

    /** Where a waiting thread is stuck ({@link #waitFrame}), or null. */
    public Frame waitFrameOrNull() {
        return waitFrame >= 0 && waitFrame < stack.size() ? stack.get(waitFrame) : null;
    }

    /** What a thread that is not waiting is doing. */
    public static final String RUNNING = "running";

    /** Stuck in one wait that is not waiting for work: what can become long-blocked. */
    public boolean blocked() {
        return !idle && waitReason != null && !waitReason.equals(RUNNING);
    }

    public enum Origin {
        /** seen starting: has a creation site */
        STARTED,
        /** alive when the agent loaded */
        BEFORE_AGENT,
        /** never went through Thread.start (created by the JVM or attached from native code) */
        BY_JVM
    }

    /** A thread named by id and name. */
    public record ThreadRef(long tid, String name) {}

    /** A monitor held, and the depth of the frame that locked it (jstack's "- locked"). */
    public record OwnedMonitor(int depth, String lock) {}

    /** This entry with {@code synchronizersOwned} replaced. */
    public ThreadEntry withTask(RunningTask running) {
        return new ThreadEntry(tid, name, state, virtual, daemon, priority, stack, parkBlocker, blockedOn, waitingOn,
                lockOwner, monitorsOwned, synchronizersOwned, origin, site, startedAtMs, starter, agent, waitReason, idle,
                waitingForMs, waitFrame, executor, running);
    }

    public ThreadEntry withSynchronizersOwned(List<String> synchronizers) {
        return new ThreadEntry(tid, name, state, virtual, daemon, priority, stack, parkBlocker, blockedOn, waitingOn,
                lockOwner, monitorsOwned, synchronizers, origin, site, startedAtMs, starter, agent, waitReason, idle,
                waitingForMs, waitFrame, executor, task);
    }

    public long ageMs(long atMs) {
        return Math.max(0, atMs - startedAtMs);
    }
}
