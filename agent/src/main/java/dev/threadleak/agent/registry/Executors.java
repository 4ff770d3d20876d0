package dev.threadleak.agent.registry;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Executors and their tasks, as the executor hooks report them. Executors are held weakly (a collected one
 * leaves; one with live workers is not collectable, which is the leak). Hot paths (a task handed over, a
 * task about to run) are lock-free and allocate nothing, except for the sampled submissions whose stack is
 * captured: the first {@link #FIRST_CAPTURED} of each executor, the first few of each task class (the line that
 * submits them: see {@link CaptureKeys}), then one in {@code every} of each task class.
 */
public final class Executors {
    /** Submissions captured per executor before sampling one in {@code every}. */
    static final int FIRST_CAPTURED = 8;
    /** Submission times kept per FIFO executor, for the age of its oldest queued task. */
    static final int RING = 32;
    /** Samples remembered per executor whose queue outgrew the ring. */
    static final int CHECKPOINTS = 64;
    private static final int BUCKETS = 1 << 10, SAMPLED = 1 << 10;

    /** One executor, by identity, held weakly. */
    public static final class ExecutorRecord extends WeakReference<Object> {
        final int id;
        final int hash;
        final String kind;
        final long createdAtMs;
        /** Raw construction stack (null when built before the agent), interned by {@link #refresh}. */
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
    }

    /**
     * What a pool worker is doing: the executor it serves and the task it last began. Written by that worker
     * only (and by the executor's Worker constructor before it starts). Holds its thread weakly: a slot is
     * dropped once its thread has ended, never before it has started.
     */
    public static final class WorkerSlot extends WeakReference<Thread> {
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

    /** A task whose submission stack was captured, held weakly, until its slot is reused. */
    public static final class SampledTask extends WeakReference<Object> {
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

        /** No longer waiting to be seen running (it ran, or its slot was reused): counted once, whoever comes first. */
        void settle() {
            if (settled.compareAndSet(0, 1)) executor.capturedWaiting.decrementAndGet();
        }

        public long queuedAtMs() { return queuedAtMs; }
    }

    private final AtomicReferenceArray<ExecutorRecord> buckets = new AtomicReferenceArray<>(BUCKETS);
    private final AtomicReferenceArray<SampledTask> sampled = new AtomicReferenceArray<>(SAMPLED);
    private final ConcurrentHashMap<Long, WorkerSlot> workers = new ConcurrentHashMap<>();
    private final ThreadLocal<WorkerSlot> current = new ThreadLocal<>();
    private final AtomicLong nextId = new AtomicLong();
    private final int every;
    /**
     * Submissions are sampled per key (the task's class, standing for the line that submits it) as well as per executor;
     * null until {@link #prepareSampling}, and until then one in {@code every} of each executor's is captured.
     */
    private volatile CaptureKeys keys;
    /**
     * The hooks' clock, ticked by the agent thread at every drain (every {@link Registry#DRAIN_MILLIS} ms): task and
     * queue times are precise to that, and a task handed over or begun costs no clock read (about 30 ns each here).
     */
    private volatile long nowMs = System.currentTimeMillis();

    /** @param every capture one submission in this many after the first few of each executor; 1 = all, 0 = none */
    public Executors(int every) {
        this.every = every;
    }

    /**
     * Runs every hot path once on a stand-in executor, so that their classes are loaded before a host thread needs them.
     * Call it on the executor hooks of a stand-in registry, not those the hooks feed: the stand-in's records stay.
     */
    public void warmUp() {
        Object executor = new Object(), task = new Object();
        created(executor);
        worker(executor, Thread.currentThread());
        submitted(executor, task);
        submitted(executor, task); // replaces the first capture
        running(executor, task);
        running(null, task);
        shutdown(executor);
        current.remove(); // the premain thread's: it outlives the stand-in
    }

    /** Advances the hooks' clock; called from each drain. */
    public void tick(long now) {
        nowMs = now;
    }

    /** An executor was built (the hook runs at the end of its constructor). */
    public void created(Object executor) {
        insert(executor, new Throwable());
    }

    /** shutdown, shutdownNow or close was called. */
    public void shutdown(Object executor) {
        recordFor(executor).shutdown = true;
    }

    /** A ThreadPoolExecutor made a worker thread (not yet started). */
    public void worker(Object executor, Thread worker) {
        workers.put(worker.getId(), new WorkerSlot(worker, recordFor(executor)));
    }

    /** A task was handed to the executor: counted, its time kept for queue ages, its stack captured if sampled. */
    public void submitted(Object executor, Object task) {
        ExecutorRecord r = recordFor(executor);
        if (!r.tasksCounted) return;
        long now = nowMs;
        long n = r.submitted.getAndIncrement();
        if (r.queuedAtMs != null) r.queuedAtMs[(int) (n % RING)] = now;
        if (task != null && every > 0 && (n < FIRST_CAPTURED || every == 1 || sampledByKey(task, n))) {
            r.capturedWaiting.incrementAndGet(); // before the task is queued: a worker that takes it sees the count
            SampledTask replaced = sampled.getAndSet(slotOf(task), new SampledTask(task, r, new Throwable(), now));
            if (replaced != null) replaced.settle();
        }
    }

    /** Submissions are sampled by key from now on: {@link CaptureKeys#prepare} has run (the registry's set-up calls it). */
    void prepareSampling() {
        keys = new CaptureKeys();
    }

    /** Whether the task's key samples it; before the keys are prepared, one in {@code every} of the executor's. */
    private boolean sampledByKey(Object task, long n) {
        CaptureKeys keys = this.keys;
        CaptureKeys.Key key = keys == null ? null : keys.ofTask(task);
        return key == null ? n % every == 0 : key.captureSubmission(every);
    }

    /** On the worker's thread, just before it runs the task; a null executor is the running fork-join worker's pool. */
    public void running(Object executor, Object task) {
        if (executor == null) {
            if (!(Thread.currentThread() instanceof ForkJoinWorkerThread worker)) return;
            executor = worker.getPool();
        }
        WorkerSlot slot = current.get();
        ExecutorRecord record = slot == null ? null : slot.executor; // one read of the volatile on the common path
        if (record == null || record.get() != executor) {
            Thread me = Thread.currentThread();
            slot = workers.get(me.getId());
            if (slot == null) {
                slot = new WorkerSlot(me, recordFor(executor));
                workers.put(me.getId(), slot);
            } else if (slot.executor.get() != executor) {
                slot.retire();
                slot.executor = recordFor(executor);
                slot.executor.slots.add(slot);
            }
            current.set(slot);
            record = slot.executor;
        }
        if (!record.tasksCounted) return;
        slot.started++;
        slot.task = task != null && record.capturedWaiting.get() > 0 ? captured(task) : null;
        slot.taskStartedAtMs = nowMs;
    }

    /** The task's captured submission, or null when it was not captured (or its capture was replaced). */
    private SampledTask captured(Object task) {
        SampledTask s = sampled.get(slotOf(task));
        if (s == null || s.get() != task) return null;
        if (!s.periodic) s.settle();
        return s;
    }

    private static int slotOf(Object task) {
        return System.identityHashCode(task) & (SAMPLED - 1);
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

    /** The record of an executor, made on first sight for one built before the agent (no construction site). */
    public ExecutorRecord recordFor(Object executor) {
        int hash = System.identityHashCode(executor);
        for (ExecutorRecord r = buckets.get(hash & (BUCKETS - 1)); r != null; r = r.next) {
            if (r.get() == executor) return r;
        }
        return insert(executor, null);
    }

    private ExecutorRecord insert(Object executor, Throwable construction) {
        ExecutorRecord r = new ExecutorRecord(executor, (int) nextId.getAndIncrement(), construction, System.currentTimeMillis());
        int b = r.hash & (BUCKETS - 1);
        ExecutorRecord head;
        do {
            head = buckets.get(b);
            for (ExecutorRecord o = head; o != null; o = o.next) {
                if (o.get() == executor) return o; // made meanwhile by another thread
            }
            r.next = head;
        } while (!buckets.compareAndSet(b, head, r));
        return r;
    }

    /**
     * Interns new construction stacks into {@code sites} (each executor counts as one "start" of its site, and
     * one live user of it while it lives), drops collected executors and ended workers, and returns the live
     * executors. Called by the registry under its lock.
     */
    List<ExecutorRecord> refresh(SiteTable sites) {
        List<ExecutorRecord> live = new ArrayList<>();
        for (int b = 0; b < BUCKETS; b++) {
            unlinkCollected(b, sites);
            for (ExecutorRecord r = buckets.get(b); r != null; r = r.next) {
                Object executor = r.get();
                if (executor == null) continue; // collected since
                if (r.construction != null) {
                    r.site = sites.intern(r.construction, SiteRecord.EXECUTOR, executor.getClass()); // a subclass's super(...) is not the site
                    r.site.live++;
                    r.construction = null;
                }
                live.add(r);
            }
        }
        // a loop, not removeIf: a short JVM's exit hook may run this first (premain: no lambdas, see ARCHITECTURE.md)
        for (Iterator<WorkerSlot> it = workers.values().iterator(); it.hasNext(); ) {
            WorkerSlot w = it.next();
            if (w.ended()) {
                w.retire();
                it.remove();
            }
        }
        return live;
    }

    /**
     * Relinks a bucket without its collected executors. Lookups walk it meanwhile without a lock: an unlinked
     * record keeps its own link, so a walker standing on it still reaches the rest. Inserts race only for the
     * head, so a lost race retries.
     */
    private void unlinkCollected(int bucket, SiteTable sites) {
        while (true) {
            ExecutorRecord head = buckets.get(bucket);
            List<ExecutorRecord> stay = new ArrayList<>(), gone = new ArrayList<>();
            for (ExecutorRecord r = head; r != null; r = r.next) (r.get() != null ? stay : gone).add(r);
            if (gone.isEmpty()) return;
            ExecutorRecord kept = null;
            for (int i = stay.size() - 1; i >= 0; i--) {
                stay.get(i).next = kept;
                kept = stay.get(i);
            }
            if (buckets.compareAndSet(bucket, head, kept)) {
                for (ExecutorRecord r : gone) {
                    if (r.site != null) r.site.live--;
                }
                return;
            }
        }
    }

    /** The worker slot of a thread, or null when it is not a ThreadPoolExecutor worker. */
    public WorkerSlot worker(long tid) {
        return workers.get(tid);
    }

    /** The construction-stack site of a sampled task's submission, interned on first use (counted once). */
    SiteRecord submissionSite(SampledTask t, SiteTable sites) {
        if (t.site == null) t.site = sites.intern(t.submission, SiteRecord.SUBMISSION);
        return t.site;
    }
}
