package dev.threadleak.agent.registry;

import java.lang.ref.WeakReference;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A task whose submission stack was captured, held weakly, until its slot is reused. */
public final class SampledTask extends WeakReference<Object> {
    final Throwable submission;
    final long queuedAtMs;
    final ExecutorRecord executor;
    /** Runs more than once: stays waiting (see {@link ExecutorRecord#capturedWaiting}) until replaced. */
    final boolean periodic;
    /** An AtomicInteger, not a field updater: the warm-up would load three JDK classes for the updater in premain. */
    private final AtomicInteger settled = new AtomicInteger();
    SiteRecord site;

    SampledTask(Object task, ExecutorRecord executor, Throwable submission, long queuedAtMs) {
        super(task);
        this.executor = executor;
        this.submission = submission;
        this.queuedAtMs = queuedAtMs;
        this.periodic = task instanceof RunnableScheduledFuture<?> f && f.isPeriodic();
    }

    /** Still waiting to be seen running: its task is reachable, and it has not run (a periodic task always waits). */
    boolean waiting() {
        return settled.get() == 0 && get() != null;
    }

    /** No longer waiting to be seen running (it ran, or its slot was reused): counted once, whoever comes first. */
    void settle() {
        if (settled.compareAndSet(0, 1)) executor.capturedWaiting.decrementAndGet();
    }

    public long queuedAtMs() { return queuedAtMs; }
}
