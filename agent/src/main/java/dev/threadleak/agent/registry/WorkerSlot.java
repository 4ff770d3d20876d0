package dev.threadleak.agent.registry;

import java.lang.ref.WeakReference;

/**
 * What a pool worker is doing: the executor it serves and the task it last began. Written by that worker
 * only (and by the executor's Worker constructor before it starts). Holds its thread weakly: a slot is
 * dropped once its thread has ended, never before it has started.
 */
public final class WorkerSlot extends WeakReference<Thread> {
    final long tid;
    volatile ExecutorRecord executor;
    // written by the worker alone, read racily by the sampler (a sample may be one task behind): plain fields,
    // so the per-task path has no fence
    SampledTask task;
    long taskStartedAtMs;
    long started;

    WorkerSlot(Thread worker, ExecutorRecord executor) {
        super(worker);
        this.tid = worker.getId();
        this.executor = executor;
        executor.slots.add(this);
    }

    /** Counts its tasks to the executor as retired and leaves it (the worker ended, or serves another). */
    void retire() {
        ExecutorRecord e = executor;
        e.retiredStarted += started;
        started = 0;
        e.slots.remove(this);
    }

    boolean ended() {
        Thread t = get();
        return t == null || t.getState() == Thread.State.TERMINATED;
    }

    public ExecutorRecord executor() { return executor; }
    /** When the worker began its latest task, or 0 before its first. */
    public long taskStartedAtMs() { return taskStartedAtMs; }
    /** The submission of the latest task when it was captured, else null. */
    public SampledTask task() { return task; }
}
