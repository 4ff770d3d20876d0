package dev.threadleak.agent.registry;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One executor, by identity, held weakly. */
public final class ExecutorRecord extends WeakReference<Object> {
    /** Submission times kept per FIFO executor, for the age of its oldest queued task. */
    static final int RING = 32;
    /** Samples remembered per executor whose queue outgrew the ring. */
    static final int CHECKPOINTS = 64;

    final int id;
    final int hash;
    final String kind;
    final long createdAtMs;
    /** Raw construction stack (null when built before the agent), interned by {@link ExecutorTable#refresh}. */
    Throwable construction;
    SiteRecord site;
    volatile boolean shutdown;
    final AtomicLong submitted = new AtomicLong();
    /**
     * Its captured submissions not yet seen running (a periodic task's until its capture is replaced): while
     * none, a task begun is not looked up in the captured ones, so the common task costs no identity hash.
     */
    final AtomicInteger capturedWaiting = new AtomicInteger();
    /** Its workers' slots (each counts the tasks it began, uncontended), and the counts of ended ones. */
    final List<WorkerSlot> slots = new CopyOnWriteArrayList<>();
    long retiredStarted;
    /** Submission times by sequence (FIFO executors only): the oldest queued task is number {@code started}. */
    final long[] queuedAtMs;
    /**
     * False for the JDK's own machinery of virtual threads (see {@link #virtualThreadMachinery}): its tasks are
     * virtual threads' continuations, handed over at every start and unpark, and the threads themselves are
     * tracked; counting them would put an atomic shared by every carrier on each of those paths.
     */
    final boolean tasksCounted;
    ExecutorRecord next;

    ExecutorRecord(Object executor, int id, Throwable construction, long nowMs) {
        super(executor);
        this.id = id;
        this.hash = System.identityHashCode(executor);
        this.kind = executor.getClass().getName();
        this.construction = construction;
        this.createdAtMs = nowMs;
        this.tasksCounted = !virtualThreadMachinery(executor);
        this.queuedAtMs = tasksCounted && ExecutorInfo.fifo(kind) ? new long[RING] : null;
    }

    public int id() { return id; }
    public String kind() { return kind; }
    public long createdAtMs() { return createdAtMs; }
    /** Construction site, or null when the executor was built before the agent loaded (or is the JDK's). */
    public SiteRecord site() { return site; }
    public boolean shutdown() { return shutdown; }
    /** Tasks handed to it since the agent loaded, or -1 when its tasks are not counted. */
    public long submitted() { return tasksCounted ? submitted.get() : -1; }
    public boolean tasksCounted() { return tasksCounted; }
    /** A plain ThreadPoolExecutor: its queue is FIFO, so its queued count and oldest queued age are known. */
    public boolean fifo() { return queuedAtMs != null; }
    /** Tasks its workers began; read by the sampler (a sum of counters each worker keeps alone). */
    public long started() {
        long n = retiredStarted;
        for (WorkerSlot w : slots) n += w.started;
        return n;
    }

    /** Sampler-side: since when the queue has been non-empty with no task begun, and the begun count then. */
    private long stallFromMs = -1, startedAtStall;

    /**
     * A queue that is not FIFO (a fork-join pool's: {@code queued} as the pool counts it, or -1 when unknown):
     * the first sample since which tasks have been queued and none has begun, or -1. A task queued then is
     * queued still, so the oldest has waited at least since then (precise to one sample).
     */
    private long stalledSinceMs(long nowMs, long queued) {
        long begun = started();
        if (queued <= 0) stallFromMs = -1;
        else if (stallFromMs < 0 || begun != startedAtStall) stallFromMs = nowMs;
        startedAtStall = begun;
        return stallFromMs;
    }

    /** Sampler-side checkpoints, (submitted count, epoch ms) at each sample, for queues longer than the ring. */
    private long[] checkpointCount, checkpointAtMs;
    private int checkpoints;

    /**
     * Epoch ms at which the oldest task still queued was handed over, or -1 (none queued, or not a FIFO
     * executor). Tasks start in submission order, so the oldest queued is submission number {@code started}:
     * exact while the queue fits the ring of recent submission times; past it, the time of the first sample
     * that had counted that submission (precise to one sample interval, never younger than the truth).
     * Called by the sampler only, once per sample. An executor that is not FIFO: see {@link #stalledSinceMs}.
     */
    public long oldestQueuedAtMs(long nowMs, long queued) {
        if (!tasksCounted) return -1; // nothing begun is counted: no age to tell
        if (queuedAtMs == null) return stalledSinceMs(nowMs, queued);
        long t = started(), s = submitted.get();
        if (s <= t) return -1;
        if (checkpointCount == null) { // the first time a queue forms
            checkpointCount = new long[CHECKPOINTS];
            checkpointAtMs = new long[CHECKPOINTS];
        }
        checkpointCount[checkpoints % CHECKPOINTS] = s;
        checkpointAtMs[checkpoints % CHECKPOINTS] = nowMs;
        checkpoints++;
        if (s - t <= RING) return queuedAtMs[(int) (t % RING)];
        long at = -1;
        for (int i = Math.max(0, checkpoints - CHECKPOINTS); i < checkpoints; i++) {
            if (checkpointCount[i % CHECKPOINTS] > t) {
                at = checkpointAtMs[i % CHECKPOINTS];
                break; // the earliest sample that had seen it submitted
            }
        }
        // older than every checkpoint kept: at least as old as the oldest of them (or of the ring)
        long ring = queuedAtMs[(int) ((s - RING) % RING)];
        return at < 0 ? ring : Math.min(at, ring);
    }

    /**
     * The JDK's own executors for virtual threads: the default scheduler (a ForkJoinPool of carrier threads) and,
     * on JDK 21, the timed-unpark scheduler. Both are built by {@code java.lang.VirtualThread} with a thread factory
     * of its own, which tells them apart from any executor the application builds.
     */
    static boolean virtualThreadMachinery(Object executor) {
        Object factory = executor instanceof ForkJoinPool p ? p.getFactory()
                : executor instanceof ThreadPoolExecutor t ? t.getThreadFactory() : null;
        return factory != null && factory.getClass().getName().startsWith("java.lang.VirtualThread");
    }
}
