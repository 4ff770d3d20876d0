package dev.threadleak.agent.registry;

import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.snapshot.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Live threads and their creation sites. Starting threads only push a record onto a lock-free stack
 * ({@link #accept}); decoding stacks, interning sites and dropping dead threads happen in {@link #drain()},
 * called from the agent's drain thread (and from snapshot takers), under this object's lock, which
 * application code never sees. Records hold their threads weakly, and the pending stack is bounded: a
 * stalled or dead drain thread costs the host at most {@link #MAX_PENDING} records, never a thread's life.
 */
public final class Registry implements Consumer<Thread> {
    /**
     * Records waiting for the drain, at most. A record without a creation stack weighs about 100 bytes (the thread it
     * counts weighs more), so the bound follows the heap: 1/64 of it at 128 bytes a record, between 16,384 and 1,048,576
     * records (1 GiB heap: 131,072). A start that finds it reached waits while the drain makes progress: a burst runs at
     * the agent's pace rather than outrun it. Only a drainer stuck for {@link #STALL_NANOS} makes starts counted in
     * {@link #droppedStarts}, not kept.
     */
    static final int MAX_PENDING = (int) Math.max(16_384, Math.min(1 << 20, Runtime.getRuntime().maxMemory() / 64 / 128));
    /**
     * Pending records that hold a creation stack, at most: a raw stack weighs about 1 KiB (a few KiB for deep ones), so
     * 1/64 of the heap at 1 KiB, between 1,024 and 10,000 (256 MiB heap: 4,096; 640 MiB and more: 10,000). A start past
     * it is recorded without its stack ({@link #stacksSkipped}): a burst that outruns the drain loses stacks, not starts.
     */
    static final int MAX_PENDING_STACKS = (int) Math.max(1_024, Math.min(10_000, Runtime.getRuntime().maxMemory() / 64 / 1024));
    /**
     * How long a start at {@link #MAX_PENDING} waits for the drain to make any progress. A drainer that lets it wait this
     * long is taken as stuck: later starts are counted as dropped at once, until its next drain.
     */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The start that makes the pending stack this deep wakes the drainer: starts are drained by count as well as by
     * time. Kept small because a record waits in the young generation: at a busy server's rate (25,000 virtual-thread
     * requests a second) the drain every {@link #DRAIN_MILLIS} ms alone leaves thousands of records for each young
     * collection to copy, about as much as the server's own survivors; drained, a record of an ended thread is garbage
     * before the collection.
     */
    static final int WAKE_DRAINER_AT = 256;
    /**
     * The drain thread drains this often after its quiet first second (in it, only when woken by a burst) while starts
     * or tasks come. Ended threads leave the live map (a pass over all of it) on this clock, however often starts are
     * drained.
     */
    public static final long DRAIN_MILLIS = 200;
    /**
     * The longest the drain thread waits when nothing came: each drain that finds no start and no task doubles its wait,
     * up to this. With thousands of threads each wake-up costs the process about 0.4 ms of CPU (RESULTS.md, V), so a quiet
     * JVM's drain thread wakes once a second, not five times; the first start to find it so wakes it at once.
     */
    public static final long IDLE_DRAIN_MILLIS = 1000;
    private long lastSweepMs;
    /** The drain thread's next wait, in ms: {@link #DRAIN_MILLIS} while starts or tasks come, doubling to {@link #IDLE_DRAIN_MILLIS}. */
    private long drainPauseMs = DRAIN_MILLIS;
    /** The drain thread waits longer than {@link #DRAIN_MILLIS}: a start that finds no other pending wakes it. */
    private volatile boolean drainerIdle;

    private final AtomicReference<ThreadRecord> pending = new AtomicReference<>();
    /** Starts not recorded: the pending stack was full and the drainer stuck, or its drain failed (out of memory). */
    private final AtomicLong dropped = new AtomicLong();
    /** Starts recorded without the creation stack they were due: {@link #MAX_PENDING_STACKS} records held one. */
    private final AtomicLong stacksSkipped = new AtomicLong();
    private volatile Thread drainer;
    /** Records drained so far: a start waiting at {@link #MAX_PENDING} watches it move. */
    private volatile long drained;
    /** A start waited {@link #STALL_NANOS} in vain: no start waits again until the next drain. */
    private volatile boolean drainerStuck;
    /** Made on first use (a drain, on the agent's threads) from {@link #siteOptions}, so premain loads neither it nor its blame. */
    private SiteTable sites;
    /** The options the site table is made with; null when it was given. */
    private final Options siteOptions;
    /** Live threads by id (ids are never reused), in the order the agent learned of them. */
    private final LongMap<ThreadRecord> live = new LongMap<>();
    /** Ids of the agent's own threads. */
    private final Set<Long> agentThreads = new HashSet<>();
    /** The agent's thread that starts through the hooks (the exit dump's); its start is not recorded. */
    private volatile Thread startsUnrecorded;

    private final ExecutorTable executors;
    /** Capture one start's stack in this many (after each key's first few); 1 = every start, 0 = none. */
    private final int every;
    /** Null until {@link #prepareSampling} (not in premain: its classes cost start-up); every start is captured until then. */
    private volatile CaptureKeys keys;

    /** The agent's registry: its site table, made on first use, keeps what {@code options} say. */
    public Registry(Options options) {
        this(null, options, new ExecutorTable(options.submissions()), options.starts());
    }

    /** A registry that samples stacks as the options do by default. */
    public Registry(SiteTable sites) {
        this(sites, new ExecutorTable(Options.DEFAULT_SUBMISSIONS), Options.DEFAULT_STARTS);
    }

    public Registry(SiteTable sites, ExecutorTable executors, int every) {
        this(sites, null, executors, every);
    }

    private Registry(SiteTable sites, Options siteOptions, ExecutorTable executors, int every) {
        this.sites = sites;
        this.siteOptions = siteOptions;
        this.executors = executors;
        this.every = every;
    }

    /** The table the executor hooks fill, lock-free (see {@link ExecutorTable}). */
    public ExecutorTable executorTable() {
        return executors;
    }

    /** Drains, then returns the live executors (construction sites interned, collected ones gone). */
    public synchronized List<ExecutorRecord> liveExecutors() {
        drain();
        return executors.refresh(sites());
    }

    /** The interned site of a sampled task's submission stack. */
    public synchronized SiteRecord submissionSite(SampledTask task) {
        return executors.submissionSite(task, sites());
    }

    /**
     * The hot path, run inside Thread.start: one record (which is its own weak reference), a stack capture when
     * sampled (see {@link CaptureKeys}) and while fewer than {@link #MAX_PENDING_STACKS} pending records hold one, one
     * CAS loop.
     */
    @Override
    public void accept(Thread thread) {
        if (thread == startsUnrecorded) return;
        ThreadRecord head = pending.get();
        if (head != null && head.pendingDepth >= MAX_PENDING) {
            if (!awaitDrain()) {
                dropped.incrementAndGet(); // checked before the capture: a full stack costs the starter nothing more
                return;
            }
            head = pending.get(); // the drain took the records it waited for
        }
        ThreadRecord record;
        try {
            CaptureKeys keys = this.keys;
            CaptureKeys.Key key = every > 1 && keys != null ? keys.of(thread) : null;
            boolean capture = key == null ? every != 0 : key.captureStart(every);
            if (capture && head != null && head.pendingStacks >= MAX_PENDING_STACKS) {
                capture = false;
                stacksSkipped.incrementAndGet();
            }
            record = new ThreadRecord(thread, System.currentTimeMillis(), Thread.currentThread(),
                    capture ? CreationStack.of(thread) : null, key);
        } catch (OutOfMemoryError e) {
            dropped.incrementAndGet();
            return;
        }
        int stack = record.creation == null ? 0 : 1;
        do {
            head = pending.get();
            int depth = head == null ? 1 : head.pendingDepth + 1;
            if (depth > MAX_PENDING) {
                dropped.incrementAndGet(); // filled by other starts since the check above
                return;
            }
            record.pendingDepth = depth;
            record.pendingStacks = head == null ? stack : head.pendingStacks + stack;
            record.next = head;
        } while (!pending.compareAndSet(head, record));
        if (record.pendingDepth == WAKE_DRAINER_AT || (record.pendingDepth == 1 && drainerIdle)) {
            Thread d = drainer;
            if (d != null) LockSupport.unpark(d);
        }
    }

    /**
     * A start found {@link #MAX_PENDING} records waiting: it wakes the drainer and waits until the pending records are
     * taken, for as long as the drain makes progress. False (the start is dropped) when there is no drainer to wait
     * for, the starter is the drainer, or the drainer is stuck: no progress for {@link #STALL_NANOS}.
     */
    private boolean awaitDrain() {
        Thread d = drainer;
        if (d == null || d == Thread.currentThread() || drainerStuck) return false;
        long seen = drained, stalledAt = System.nanoTime() + STALL_NANOS;
        while (true) {
            LockSupport.unpark(d);
            LockSupport.parkNanos(this, 100_000);
            ThreadRecord head = pending.get();
            if (head == null || head.pendingDepth < MAX_PENDING) return true;
            long now = System.nanoTime(), progress = drained;
            if (progress != seen) {
                seen = progress;
                stalledAt = now + STALL_NANOS;
            } else if (now - stalledAt > 0) {
                drainerStuck = true;
                return false;
            }
        }
    }

    /** Thread.isVirtual() exists from JDK 21 only; the class tells on every JDK. */
    public static boolean isVirtual(Thread t) {
        return t.getClass().getName().equals("java.lang.VirtualThread");
    }

    /**
     * Builds the sampling keys' readers of JDK fields, once: the agent's threads call it off premain, at set-up or sooner
     * when a burst of starts wakes it (see {@link CaptureKeys}).
     */
    public synchronized void prepareSampling() {
        if (keys != null) return;
        CaptureKeys.prepare();
        CaptureKeys prepared = new CaptureKeys();
        prepared.of(new Thread(() -> { })); // the keyed path's classes, loaded now
        keys = prepared;
        executors.prepareSampling();
    }

    /**
     * The slower paths this JVM makes the registry take, one line each to say under {@code log=debug}: what it cannot
     * read and what it does instead. Empty normally. Call after {@link #prepareSampling}.
     */
    public List<String> fallbacks() {
        List<String> out = new ArrayList<>(2);
        String keys = CaptureKeys.fallback(), stacks = Backtrace.fallback();
        if (keys != null) out.add(keys);
        if (stacks != null) out.add(stacks);
        return out;
    }

    /**
     * Runs the hot path once, so that its classes are loaded and linked before a host thread needs them. Call it on a
     * stand-in registry, not the one the hooks feed: its record stays.
     */
    public void warmUp() {
        accept(Thread.currentThread());
    }

    /**
     * The agent's threads start before the hooks are in, but for this one, started by the JVM as it exits: the hooks do
     * not record its start either (no record, no creation stack captured as the JVM exits). Like the others, it is
     * listed from the next sample on, as the agent's when {@link #markAgentThread marked}.
     */
    public void startsUnrecorded(Thread thread) {
        startsUnrecorded = thread;
    }

    /** The thread that calls {@link #drain()} regularly; a burst of starts unparks it. */
    public void setDrainer(Thread thread) {
        drainer = thread;
    }

    /**
     * Marks one of the agent's own threads: it is tracked like any other but flagged as the agent's. Best before
     * it starts; one marked once it runs is flagged from then on, and only its site's started count keeps it.
     */
    public synchronized void markAgentThread(Thread thread) {
        agentThreads.add(thread.getId());
        ThreadRecord seen = live.get(thread.getId());
        if (seen != null) seen.agentThread = true;
    }

    /** Records platform threads that were running before the hooks were installed (or that the JVM started natively). */
    public synchronized void addUnseen(Iterable<Thread> threads, long nowMs, Origin origin) {
        drain();
        for (Thread t : threads) {
            if (ThreadRecord.running(t) && live.get(t.getId()) == null) {
                ThreadRecord r = new ThreadRecord(t, nowMs, origin);
                r.agentThread = agentThreads.contains(r.tid);
                live.put(r.tid, r);
            }
        }
    }

    /**
     * Decodes pending creation stacks into sites and drops records of threads that have ended. If it fails
     * part-way (out of memory), the records it had not reached are counted as dropped: never lost silently.
     */
    public synchronized void drain() {
        drain(true);
    }

    /**
     * The drain thread's drain, whenever {@link #WAKE_DRAINER_AT} starts wait and on its clock: sweeps on the clock.
     * Returns how long to wait before the next: {@link #DRAIN_MILLIS} when starts were pending or a task hook read the
     * executors' clock since the last, else twice the last wait, up to {@link #IDLE_DRAIN_MILLIS}.
     */
    public synchronized long drainStarts() {
        boolean startsCame = drain(false);
        boolean tasksCame = executors.clockReadSinceAsked();
        drainPauseMs = startsCame || tasksCame ? DRAIN_MILLIS : Math.min(IDLE_DRAIN_MILLIS, drainPauseMs * 2);
        boolean idle = drainPauseMs > DRAIN_MILLIS;
        executors.ticking(!idle);
        drainerIdle = idle;
        return drainPauseMs;
    }

    /** Drains; true when starts were pending. */
    @SuppressWarnings("NonAtomicVolatileUpdate") // drained: written under this object's lock only; read by starts that wait
    private boolean drain(boolean sweep) {
        long now = System.currentTimeMillis(); // one clock read a drain: the hooks' clock and when ended threads were seen
        executors.tick(now);
        ThreadRecord chain = pending.getAndSet(null);
        drainerStuck = false;
        int total = chain == null ? 0 : chain.pendingDepth, done = 0;
        // the stack is newest-first; reverse it so live threads stay in start order
        ThreadRecord ordered = null;
        while (chain != null) {
            ThreadRecord next = chain.next;
            chain.next = ordered;
            ordered = chain;
            chain = next;
        }
        try {
            for (ThreadRecord r = ordered; r != null; done++) {
                ThreadRecord next = r.next;
                r.next = null;
                if ((done & 63) == 0) drained += 64; // written under this lock only; read by starts that wait
                // the agent's own threads get no site: site counts are the application's alone
                r.agentThread = agentThreads.contains(r.tid);
                if (!r.agentThread) r.site = place(r);
                if (r.creation != null || r.site == null) r.key = null; // kept only by a start placed by its key
                r.creation = null;
                if (r.alive()) {
                    live.put(r.tid, r); // replaces the record of a thread first seen without its start
                    if (r.site != null) r.site.live++;
                } else if (r.site != null) {
                    r.site.lastEndedAtMs = now; // ended before its first drain: counted, never listed (most virtual threads)
                }
                r = next;
            }
        } catch (Throwable t) {
            dropped.addAndGet(total - done);
            throw t;
        }
        if (!sweep && now - lastSweepMs < DRAIN_MILLIS) return total > 0; // woken by count: the sweep runs on the clock
        lastSweepMs = now;
        for (int i = 0; i < live.end(); i++) {
            ThreadRecord r = live.valueAt(i);
            if (r == null || r.alive()) continue;
            live.removeAt(i);
            if (r.site != null) {
                r.site.live--;
                r.site.lastEndedAtMs = now;
            }
        }
        return total > 0;
    }

    /**
     * The site of a drained start, counted there: its captured stack's, or else the site its key's captures named
     * (see {@link CaptureKeys}); null for a start placed nowhere (no capture: {@code starts=off}, or the key's site
     * folded since), which still counts in the total.
     */
    private SiteRecord place(ThreadRecord r) {
        CaptureKeys.Key key = r.key;
        if (r.creation != null) {
            SiteRecord site = sites().intern(r.creation);
            if (key != null && key.placed(site)) unplace(key);
            return site;
        }
        SiteRecord site = key == null ? null : key.siteOfUncaptured();
        if (site != null && site.folded) {
            key.forget();
            site = null;
        }
        sites().countUncaptured(site);
        return site;
    }

    /**
     * The key's captures named a second site: the live threads it placed uncaptured may have come from either, so
     * they are placed nowhere (their creation was not captured) rather than at a line that may not have started them.
     */
    private void unplace(CaptureKeys.Key key) {
        for (int i = 0; i < live.end(); i++) {
            ThreadRecord r = live.valueAt(i);
            if (r == null || r.key != key) continue;
            r.key = null;
            if (r.site != null) r.site.live--;
            r.site = null;
        }
    }

    /** Drains, then returns the records of live threads in start order. */
    public synchronized List<ThreadRecord> liveRecords() {
        drain();
        return live.values();
    }

    /**
     * True when a short JVM's exit dump has something to say: a thread started since the agent loaded (not one of
     * its own) is still alive, an executor built since is alive and not shut down, or a start went unrecorded. A JVM
     * that started threads and joined them all, and shut down what it built, leaked nothing. Answered from the records
     * as they are, not drained: such a JVM pays no decoding of creation stacks at its exit (about 10 ms for the first).
     */
    public synchronized boolean anyStartedAlive() {
        for (ThreadRecord r = pending.get(); r != null; r = r.next) { // under this lock no drain relinks them
            if (!agentThreads.contains(r.tid) && r.alive()) return true;
        }
        for (int i = 0; i < live.end(); i++) {
            ThreadRecord r = live.valueAt(i);
            if (r != null && r.origin == Origin.STARTED && !r.agentThread && r.alive()) return true;
        }
        return executors.anyBuiltAndRunning() || dropped.get() > 0;
    }

    public synchronized int liveCount() {
        return live.size();
    }

    /** Thread starts the agent could not record (pending stack full, or out of memory while draining). */
    public long droppedStarts() {
        return dropped.get();
    }

    /** Thread starts recorded without the creation stack they were due: a burst of them outran the drain. */
    public long stacksSkipped() {
        return stacksSkipped.get();
    }

    public synchronized SiteTable sites() {
        if (sites == null) sites = new SiteTable(siteOptions.depth(), new Blame(siteOptions.app()), siteOptions.sites());
        return sites;
    }
}
