package dev.threadleak.agent.registry;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The table of executors and their tasks ({@link ExecutorRecord}, {@link WorkerSlot}, {@link SampledTask}): filled by
 * the executor hooks on the application's threads, refreshed by the drain. One class for both sides, as they share one
 * lock-free table. Executors are held weakly (a collected one leaves; one with live workers is not collectable, which
 * is the leak). Hot paths (a task handed over, a task about to run) are lock-free and allocate nothing, except for the
 * sampled submissions whose stack is captured: the first {@link #FIRST_CAPTURED} of each executor, the first few of
 * each task class (the line that submits them: see {@link CaptureKeys}), then one in {@code every} of each task class.
 */
public final class ExecutorTable {
    /** Submissions captured per executor before sampling one in {@code every}. */
    static final int FIRST_CAPTURED = 8;
    private static final int BUCKETS = 1 << 10, SAMPLED = 1 << 10;

    private final AtomicReferenceArray<ExecutorRecord> buckets = new AtomicReferenceArray<>(BUCKETS);
    private final AtomicReferenceArray<SampledTask> sampled = new AtomicReferenceArray<>(SAMPLED);
    private final ConcurrentHashMap<Long, WorkerSlot> workers = new ConcurrentHashMap<>();
    @SuppressWarnings("ThreadLocalUsage") // per table, not static: tests build many tables, and slots must not cross them
    private final ThreadLocal<WorkerSlot> current = new ThreadLocal<>();
    private final AtomicLong nextId = new AtomicLong();
    private final int every;
    /**
     * Submissions are sampled per key (the task's class, standing for the line that submits it) as well as per executor;
     * null until {@link #prepareSampling}, and until then one in {@code every} of each executor's is captured.
     */
    private volatile CaptureKeys keys;
    /**
     * The hooks' clock, ticked by the drain thread at every drain (every {@link Registry#DRAIN_MILLIS} ms while tasks
     * come): task and queue times are precise to that, and a task handed over or begun costs no clock read (about 30 ns
     * each here).
     */
    private volatile long nowMs = System.currentTimeMillis();
    /** Whether the drain ticks {@link #nowMs} at its busy pace; when it waits longer (no task came), the hooks read the time. */
    private volatile boolean ticking = true;
    /** A hook read the clock since the drain last asked: tasks come, and the drain keeps its busy pace. */
    private volatile boolean clockRead;

    /** @param every capture one submission in this many after the first few of each executor; 1 = all, 0 = none */
    public ExecutorTable(int every) {
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
        current.remove(); // the warming thread's: it outlives the stand-in
    }

    /** Advances the hooks' clock; called from each drain. */
    public void tick(long now) {
        nowMs = now;
    }

    /** Whether the drain ticks the clock at its busy pace from now on; when not, the hooks read the time themselves. */
    void ticking(boolean busyPace) {
        ticking = busyPace;
    }

    /** Whether a hook read the clock (a task was handed over or begun) since the last call. */
    boolean clockReadSinceAsked() {
        if (!clockRead) return false;
        clockRead = false;
        return true;
    }

    /** The hooks' time: the drain's last tick while it ticks at its busy pace, else the time now. */
    private long clock() {
        if (!clockRead) clockRead = true; // written once a drain, not once a task: the line stays shared between cores
        return ticking ? nowMs : System.currentTimeMillis();
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
        long now = clock();
        long n = r.submitted.getAndIncrement();
        if (r.queuedAtMs != null) r.queuedAtMs[(int) (n % ExecutorRecord.RING)] = now;
        if (task != null && every > 0 && (n < FIRST_CAPTURED || every == 1 || sampledByKey(task, n))) {
            r.capturedWaiting.incrementAndGet(); // before the task is queued: a worker that takes it sees the count
            SampledTask replaced = sampled.getAndSet(slotFor(task), new SampledTask(task, r, new Throwable(), now));
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
        slot.taskStartedAtMs = clock();
    }

    /** The task's captured submission, or null when it was not captured (or its capture was replaced). */
    private SampledTask captured(Object task) {
        int hash = System.identityHashCode(task);
        SampledTask s = sampled.get(firstSlot(hash));
        if (s == null || s.get() != task) s = sampled.get(secondSlot(hash));
        if (s == null || s.get() != task) return null;
        if (!s.periodic) s.settle();
        return s;
    }

    /**
     * Where a sampled task is kept: the first of its two slots unless that one holds a task still waiting to be seen
     * running, then the second. Two choices: with one, two tasks in flight whose identity hashes met in a slot lost
     * the first's submission (about one run in a hundred of five tasks), whatever the other 1,023 slots held.
     */
    private int slotFor(Object task) {
        int hash = System.identityHashCode(task), first = firstSlot(hash);
        SampledTask s = sampled.get(first);
        return s == null || !s.waiting() ? first : secondSlot(hash);
    }

    private static int firstSlot(int hash) {
        return hash & (SAMPLED - 1);
    }

    /** The top bits of a Fibonacci hash: independent of the first slot's low bits. */
    private static int secondSlot(int hash) {
        return (hash * 0x9E3779B9) >>> (Integer.SIZE - Integer.numberOfTrailingZeros(SAMPLED));
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
            unlinkCollected(b);
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
     * True when an executor built since the agent loaded is reachable and not shut down: asked at a short JVM's exit, so
     * it interns nothing (see {@link Registry#anyStartedAlive}). Called by the registry under its lock.
     */
    boolean anyBuiltAndRunning() {
        for (int b = 0; b < BUCKETS; b++) {
            for (ExecutorRecord r = buckets.get(b); r != null; r = r.next) {
                if (r.get() != null && (r.construction != null || r.site != null) && !r.shutdown) return true;
            }
        }
        return false;
    }

    /**
     * Relinks a bucket without its collected executors. Lookups walk it meanwhile without a lock: an unlinked
     * record keeps its own link, so a walker standing on it still reaches the rest. Inserts race only for the
     * head, so a lost race retries.
     */
    private void unlinkCollected(int bucket) {
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
