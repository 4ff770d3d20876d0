package dev.threadleak.agent.sample;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.hook.HookPoint;
import dev.threadleak.agent.registry.ExecutorRecord;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.LongMap;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteRecord;
import dev.threadleak.agent.registry.SampledTask;
import dev.threadleak.agent.registry.ThreadRecord;
import dev.threadleak.agent.registry.WorkerSlot;
import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.RunningTask;
import dev.threadleak.agent.snapshot.Secrets;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.TreeSet;

/**
 * Reads the JVM's threads: the registry's live threads joined with their state, stack and locks (ThreadMXBean
 * for platform threads; Thread.getStackTrace for virtual threads, which ThreadMXBean cannot see, round-robin
 * within a budget per sample), what each waits for and since when, deadlocks and executors. What it returns
 * is a reading, not yet a verdict: no baseline and no findings ({@code Pipeline} adds them). Not thread-safe:
 * one caller at a time (the pipeline's lock).
 */
public final class Sampler {
    /** Virtual-thread stacks read per periodic sample and per dump; the rest keep their last observed wait. */
    static final int VIRTUAL_BUDGET_SAMPLE = 1_000;
    static final int VIRTUAL_BUDGET_DUMP = 10_000;
    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    /**
     * Not ProcessHandle.current() nor RuntimeMXBean.getPid() (which calls it): ProcessHandleImpl's class
     * initializer starts the JDK's process-reaper pool in the host. Linux tells through /proc/self; elsewhere
     * the runtime's name is {@code pid@host}.
     */
    private static final long PID = pid();

    private static long pid() {
        try {
            return Long.parseLong(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self")).toString());
        } catch (Exception notLinux) {
            String name = ManagementFactory.getRuntimeMXBean().getName();
            try {
                return Long.parseLong(name.substring(0, name.indexOf('@')));
            } catch (RuntimeException notPidAtHost) {
                return -1;
            }
        }
    }

    private final Registry registry;
    private final HookFailures hookFailures;
    private final long agentStartedAtMs;
    private final long blockedMs;
    private final boolean maskSecrets;
    /** The last {@code sun.java.command} read and what is shown of it: masked once, not at every sample. */
    private String rawCommand, shownCommand;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private boolean stackSizeUnread;
    private final long stackSizeBytes = threadStackSize();
    private final WaitTracker waits = new WaitTracker();
    private final PlatformThreads platform = new PlatformThreads(mx, PlatformThreads.BUDGET_SAMPLE);
    /** Site stacks converted once each (sites never change), for the sites the table still keeps. */
    private final Map<Integer, List<Frame>> siteFrames = new HashMap<>();
    /** Sites listed in every snapshot besides those of live threads: the most-started, for thread churn. */
    static final int MOST_STARTED_SITES = 20;
    private int virtualCursor;
    /** One reference per starting thread and name, shared by the entries of every thread it started, for this read. */
    private final Map<Long, ThreadRef> starters = new HashMap<>();
    /** When the previous periodic read began: virtual threads started since are not read by the next one. */
    private long previousReadAtMs = Long.MIN_VALUE;

    /** How much a read covers. */
    public enum Depth {
        /** Periodic samples: stacks of the threads that moved, within budgets; held locks left out. */
        PERIODIC,
        /** Dumps: whole stacks and held monitors of every platform thread (in batches), a larger virtual budget. */
        DUMP
    }

    /** @param maskSecrets whether secrets in the launch command are masked ({@link Secrets}) before any snapshot holds it */
    public Sampler(Registry registry, HookFailures hookFailures, long agentStartedAtMs, long blockedMs, boolean maskSecrets) {
        this.registry = registry;
        this.hookFailures = hookFailures;
        this.agentStartedAtMs = agentStartedAtMs;
        this.blockedMs = blockedMs;
        this.maskSecrets = maskSecrets;
        WaitReason.of(Thread.State.RUNNABLE, NO_FRAMES, null, null); // initialize its class now (see boot.Preload)
    }

    /** Every live platform thread, including those the JVM started without Thread.start. */
    public static List<Thread> platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] all = new Thread[root.activeCount() + 16];
        int n;
        while ((n = root.enumerate(all, true)) == all.length) all = new Thread[all.length * 2];
        return Arrays.asList(all).subList(0, n);
    }

    /**
     * Reads the threads now: a snapshot without findings, whose summary has no baseline yet (-1). Neither depth
     * walks the heap: see {@link PlatformThreads#readAll} and {@link #withContendedSynchronizers}.
     */
    public Snapshot read(Depth depth) {
        boolean full = depth == Depth.DUMP;
        long now = System.currentTimeMillis();
        registry.addUnseen(platformThreads(), now, Origin.BY_JVM);
        List<ThreadRecord> records = registry.liveRecords();
        for (ThreadRecord r : records) {
            // a fork-join worker names its pool: the pool gets a record (the common pool was built before the agent)
            if (r.thread() instanceof ForkJoinWorkerThread fj) registry.executorTable().recordFor(fj.getPool());
        }
        List<ExecutorRecord> executorRecords = registry.liveExecutors();
        waits.beginRound();
        LongMap<ThreadInfo> infos = new LongMap<>();
        LongMap<ThreadInfo> read = full ? platform.readAll(infos, waits) : platform.readMoved(infos, waits);
        // virtual threads: the next `budget` of them, round-robin across samples, so a million cost bounded time. A
        // periodic read skips those started since the previous one: a virtual thread per request is mostly gone by
        // the next sample, and one that young cannot have waited long (a dump reads them all the same)
        long youngAfterMs = full ? Long.MAX_VALUE : previousReadAtMs;
        if (!full) previousReadAtMs = now;
        int virtualCount = 0, virtualIndex = 0, budget = full ? VIRTUAL_BUDGET_DUMP : VIRTUAL_BUDGET_SAMPLE;
        for (ThreadRecord r : records) {
            Thread t = r.thread();
            if (t != null && isVirtual(t) && r.startedAtMs() <= youngAfterMs) virtualCount++;
        }
        if (virtualCount > 0) virtualCursor %= virtualCount;

        List<ThreadEntry> threads = new ArrayList<>(records.size());
        for (ThreadRecord r : records) {
            Thread t = r.thread();
            if (t == null) continue; // ended and collected since the drain
            if (isVirtual(t)) {
                boolean readNow = r.startedAtMs() <= youngAfterMs && Math.floorMod(virtualIndex++ - virtualCursor, virtualCount) < budget;
                threads.add(virtualEntry(r, t, readNow, now));
            } else {
                ThreadInfo info = infos.get(t.getId());
                if (info != null) threads.add(platformEntry(r, t, info, read.get(t.getId()) != null, full, now)); // else: it ended meanwhile
            }
        }
        waits.endRound();
        starters.clear();
        if (virtualCount > budget) virtualCursor = (virtualCursor + budget) % virtualCount;
        threads = withContendedSynchronizers(threads);
        List<ExecutorInfo> executors = executors(executorRecords, threads, now);

        List<SiteRecord> kept = registry.sites().all();
        Set<Integer> siteIds = new HashSet<>();
        for (ThreadEntry t : threads) {
            siteIds.add(t.site());
            if (t.task() != null) siteIds.add(t.task().submittedSite());
        }
        for (ExecutorInfo e : executors) siteIds.add(e.site());
        List<SiteInfo> sites = sites(kept, siteIds);
        threads = withoutFoldedSubmissions(threads, sites);
        Summary summary = summary(threads, registry.sites().folded() + kept.size() - sites.size());
        return Snapshot.builder().pid(PID).takenAtMs(now).jvmStartedAtMs(ManagementFactory.getRuntimeMXBean().getStartTime())
                .agentStartedAtMs(agentStartedAtMs).javaVersion(System.getProperty("java.version")).command(command())
                .summary(summary).sites(sites).threads(threads).blockedThresholdMs(blockedMs).deadlocks(deadlocks(infos))
                .executors(executors).build();
    }

    /**
     * The launch command as every dump, page and report shows it: secrets masked unless {@code secrets=show}. Masked
     * here, where it is read, so nothing downstream (dump files, HTTP, JMX, pprof) can serve the raw one.
     */
    private String command() {
        String raw = System.getProperty("sun.java.command", "");
        if (!raw.equals(rawCommand)) {
            rawCommand = raw;
            shownCommand = maskSecrets ? Secrets.mask(raw) : raw;
        }
        return shownCommand;
    }

    /**
     * Fills each thread's {@code synchronizersOwned} with the ownable synchronizers (java.util.concurrent locks)
     * that some thread is parked waiting for and that this thread holds: HotSpot reports a parked thread's
     * blocker and, when the blocker is an ownable synchronizer, its owner. These are the locks that matter for a
     * stuck thread or a lock cycle; a lock held that nobody waits for is not listed (finding those needs the
     * heap walk that {@link PlatformThreads#readAll} avoids).
     */
    private static List<ThreadEntry> withContendedSynchronizers(List<ThreadEntry> threads) {
        Map<Long, Set<String>> held = new HashMap<>();
        for (ThreadEntry t : threads) {
            if (t.parkBlocker() != null && t.lockOwner() != null) {
                held.computeIfAbsent(t.lockOwner().tid(), tid -> new TreeSet<>()).add(t.parkBlocker());
            }
        }
        if (held.isEmpty()) return threads;
        List<ThreadEntry> out = new ArrayList<>(threads.size());
        for (ThreadEntry t : threads) {
            Set<String> locks = held.get(t.tid());
            out.add(locks == null ? t : t.toBuilder().synchronizersOwned(List.copyOf(locks)).build());
        }
        return out;
    }

    private ThreadEntry virtualEntry(ThreadRecord r, Thread t, boolean read, long now) {
        Thread.State state = t.getState();
        WaitTracker.Track track;
        if (read) {
            StackTraceElement[] raw = t.getStackTrace();
            track = waits.observe(t.getId(), state, raw, frames(raw), null, -1, WaitReason.of(state, raw, null, null), null, now);
        } else {
            track = waits.keep(t.getId());
        }
        return entry(r, t, track, now).state(state.name()).virtual(true).build();
    }

    /**
     * An entry from a fresh read of the thread ({@code read}: {@code whole}, with every frame and the monitors it holds,
     * for a dump), or from its last read when it has not moved.
     */
    private ThreadEntry platformEntry(ThreadRecord r, Thread t, ThreadInfo info, boolean read, boolean whole, long now) {
        LockInfo lock = info.getLockInfo();
        Thread.State state = info.getThreadState();
        WaitTracker.Track track;
        if (read) {
            String lockName = lock == null ? null : lock.toString();
            StackTraceElement[] raw = info.getStackTrace();
            WaitReason reason = WaitReason.of(state, raw, lockName, info.getLockOwnerName());
            track = waits.observe(info.getThreadId(), state, raw, frames(raw), lockName,
                    info.getWaitedCount() + info.getBlockedCount(), reason, whole ? monitors(info) : null, now);
        } else {
            track = waits.keep(info.getThreadId());
        }
        // named by its wait's string where that is its lock: one string per distinct wait kept, not one per thread
        String lockName = lock == null ? null
                : track != null && WaitTracker.sameLock(track.lock(), lock) ? track.lock() : lock.toString();
        ThreadEntry.Builder entry = entry(r, t, track, now).state(state.name()).monitorsOwned(track == null ? List.of() : track.monitors());
        if (lockName != null) {
            List<Frame> stack = track == null ? List.of() : track.stack();
            if (state == Thread.State.BLOCKED) entry.blockedOn(lockName);
            else if (!stack.isEmpty() && stack.get(0).objectWait()) entry.waitingOn(lockName);
            else entry.parkBlocker(lockName);
        }
        if (info.getLockOwnerId() >= 0) entry.lockOwner(new ThreadRef(info.getLockOwnerId(), info.getLockOwnerName()));
        return entry.build();
    }

    /** The monitors a whole read found held; most threads hold none, and share one empty list. */
    private static List<OwnedMonitor> monitors(ThreadInfo info) {
        MonitorInfo[] locked = info.getLockedMonitors();
        if (locked.length == 0) return List.of();
        List<OwnedMonitor> out = new ArrayList<>(locked.length);
        for (MonitorInfo m : locked) out.add(new OwnedMonitor(m.getLockedStackDepth(), m.toString()));
        return out;
    }

    /**
     * What any thread's entry holds, from its record, its last read and its executor; the caller adds its state and
     * locks. {@code track} is the thread's last read, or null when it has never been read (over the budget so far).
     */
    private ThreadEntry.Builder entry(ThreadRecord r, Thread t, WaitTracker.Track track, long now) {
        ThreadRef starter = r.starterName() == null ? null : starter(r.starterTid(), r.starterName());
        WaitReason reason = track == null ? null : track.reason();
        boolean waiting = reason != null && !reason.running();
        boolean idle = reason != null && reason.idle();
        List<Frame> stack = track == null ? List.of() : track.stack();
        int waitFrame = waiting && !idle ? track.waitFrame(this::waitFrame) : -1;
        ThreadEntry.Builder entry = ThreadEntry.builder(t.getId(), t.getName()).daemon(t.isDaemon()).priority(t.getPriority())
                .stack(stack).origin(r.origin()).site(r.siteId()).startedAtMs(r.startedAtMs()).starter(starter).agentThread(r.agentThread())
                .waitReason(reason == null ? null : reason.reason()).idle(idle)
                .waitingForMs(waiting ? Math.max(0, now - track.sinceMs()) : 0).waitFrame(waitFrame);
        // a pool worker: its executor, and the task it runs (a worker waiting for work runs none)
        WorkerSlot slot = registry.executorTable().worker(t.getId());
        if (slot != null) {
            entry.executor(slot.executor().id());
            long began = slot.taskStartedAtMs();
            if (began > 0 && !idle) {
                SampledTask sampled = slot.task();
                entry.task(sampled == null ? new RunningTask(began, -1, -1)
                        : new RunningTask(began, sampled.queuedAtMs(), registry.submissionSite(sampled).id()));
            }
        } else if (t instanceof ForkJoinWorkerThread fj) {
            entry.executor(registry.executorTable().recordFor(fj.getPool()).id());
        }
        return entry;
    }

    /** The starter as entries name it: a pool's 10,000 workers share one reference, not 10,000 copies of it. */
    private ThreadRef starter(long tid, String name) {
        ThreadRef ref = starters.get(tid);
        if (ref == null || !ref.name().equals(name)) {
            ref = new ThreadRef(tid, name);
            starters.put(tid, ref);
        }
        return ref;
    }

    /**
     * A submission site is kept only while the table has room (no live thread holds it), so a long-running
     * task's may have been folded: it then reads as not captured, rather than naming a site the dump lacks.
     */
    private static List<ThreadEntry> withoutFoldedSubmissions(List<ThreadEntry> threads, List<SiteInfo> sites) {
        Set<Integer> listed = new HashSet<>();
        for (SiteInfo site : sites) listed.add(site.id());
        List<ThreadEntry> out = new ArrayList<>(threads.size());
        for (ThreadEntry t : threads) {
            RunningTask task = t.task();
            if (task == null || task.submittedSite() < 0 || listed.contains(task.submittedSite())) {
                out.add(t);
                continue;
            }
            out.add(t.toBuilder().task(new RunningTask(task.startedAtMs(), task.queuedAtMs(), -1)).build());
        }
        return out;
    }

    /** Index of the first application frame of a current stack (where a waiting thread is stuck), or -1. */
    private int waitFrame(List<Frame> stack) {
        List<String> classes = new ArrayList<>(stack.size());
        for (Frame f : stack) classes.add(f.className());
        return registry.sites().blame().applicationFrame(classes);
    }

    /** The live executors as the snapshot shows them: counts from the hooks, workers from this sample's threads. */
    private static List<ExecutorInfo> executors(List<ExecutorRecord> records, List<ThreadEntry> threads, long now) {
        Map<Integer, List<ThreadEntry>> workers = new HashMap<>();
        for (ThreadEntry t : threads) {
            if (t.executor() >= 0) workers.computeIfAbsent(t.executor(), id -> new ArrayList<>()).add(t);
        }
        List<ExecutorInfo> out = new ArrayList<>();
        for (ExecutorRecord r : records) {
            Object executor = r.get();
            if (executor == null) continue;
            boolean jdk = HookPoint.EXECUTOR_CLASSES.contains(r.kind()); // a JDK executor's isTerminated() is a lock-free read; a subclass's is not called
            String state = jdk && executor instanceof ExecutorService es && es.isTerminated() ? "TERMINATED"
                    : r.shutdown() ? "SHUTDOWN" : "RUNNING";
            List<ThreadEntry> ws = workers.getOrDefault(r.id(), List.of());
            int active = 0;
            long idleSince = ws.isEmpty() ? -1 : 0;
            List<String> names = new ArrayList<>();
            for (ThreadEntry w : ws) {
                names.add(w.name());
                if (w.task() != null || (executor instanceof ForkJoinPool && !w.idle() && w.waitReason() != null)) active++;
                if (idleSince >= 0) idleSince = w.idle() ? Math.max(idleSince, now - w.waitingForMs()) : -1;
            }
            long queued = -1, completed = -1;
            if (r.fifo()) {
                queued = Math.max(0, r.submitted() - r.started());
            } else if (executor instanceof ForkJoinPool fj && jdk) {
                queued = fj.getQueuedSubmissionCount() + fj.getQueuedTaskCount(); // lock-free reads
            }
            if (executor instanceof ThreadPoolExecutor && r.tasksCounted()) completed = Math.max(0, r.started() - active);
            long oldest = r.oldestQueuedAtMs(now, queued);
            out.add(ExecutorInfo.builder(r.id(), r.kind()).name(String.join(", ", NamePattern.of(names)))
                    .site(r.site() == null ? -1 : r.site().id()).state(state).poolSize(ws.size()).maxPoolSize(maxPoolSize(executor))
                    .active(active).queued(queued).submitted(r.submitted()).completed(completed)
                    .oldestQueuedMs(oldest < 0 ? -1 : Math.max(0, now - oldest)).createdAtMs(r.createdAtMs()).idleSinceMs(idleSince).build());
        }
        return out;
    }

    /** See {@link ExecutorInfo#maxPoolSize}: lock-free reads of a field each. */
    private static int maxPoolSize(Object executor) {
        if (executor instanceof ThreadPoolExecutor t) return t.getMaximumPoolSize();
        if (executor instanceof ForkJoinPool fj) return fj.getParallelism();
        return -1;
    }

    private Summary summary(List<ThreadEntry> threads, long sitesNotListed) {
        int live = 0, daemon = 0, virtual = 0;
        Map<String, int[]> byState = new HashMap<>(); // counted unboxed: a merge per thread boxed each count past 127
        for (ThreadEntry t : threads) {
            if (t.agentThread()) continue;
            live++;
            if (t.daemon()) daemon++;
            if (t.virtual()) virtual++;
            byState.computeIfAbsent(t.state(), k -> new int[1])[0]++;
        }
        Map<String, Integer> states = new TreeMap<>();
        byState.forEach((state, count) -> states.put(state, count[0]));
        return Summary.builder().live(live).daemon(daemon).virtual(virtual).peak(mx.getPeakThreadCount())
                .jvmStarted(mx.getTotalStartedThreadCount()).agentStarted(registry.sites().totalStarted()).baseline(-1).states(states)
                .heapUsed(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
                .stackReserved((long) (live - virtual) * stackSizeBytes).startsDropped(registry.droppedStarts()).sitesNotListed(sitesNotListed)
                .hookFailures(hookFailures.count()).firstHookFailure(hookFailures.first())
                .stacksCaptured(registry.sites().stacksCaptured()).stacksSkipped(registry.stacksSkipped()).build();
    }

    /** Lock cycles: each deadlocked thread, the lock it wants, and who holds it, once per cycle. */
    private List<Deadlock> deadlocks(LongMap<ThreadInfo> infos) {
        int waitingOnOwnedLocks = 0;
        for (int i = 0; i < infos.end(); i++) {
            if (infos.valueAt(i).getLockOwnerId() >= 0) waitingOnOwnedLocks++;
        }
        if (waitingOnOwnedLocks < 2) return List.of(); // a cycle needs two threads each waiting for a held lock
        long[] ids = mx.findDeadlockedThreads();
        if (ids == null) return List.of();
        return LockCycles.of(ids, tid -> {
            ThreadInfo info = infos.get(tid);
            if (info == null) info = mx.getThreadInfo(tid); // not read in this sample (a periodic one reads few stacks)
            return info == null ? null
                    : new LockCycles.Waiter(tid, info.getThreadName(), info.getLockName(), info.getLockOwnerId(), info.getLockOwnerName());
        });
    }

    /**
     * The sites a snapshot lists, in id order: those of its live threads, and the {@link #MOST_STARTED_SITES}
     * most-started others (where short-lived threads churn). The rest are counted in {@code sitesNotListed}.
     */
    private List<SiteInfo> sites(List<SiteRecord> kept, Set<Integer> ofLiveThreads) {
        List<SiteRecord> others = new ArrayList<>();
        for (SiteRecord s : kept) {
            if (!ofLiveThreads.contains(s.id())) others.add(s);
        }
        others.sort(Comparator.comparingLong(SiteRecord::started).reversed());
        Set<Integer> listed = new HashSet<>(ofLiveThreads);
        for (SiteRecord s : others.subList(0, Math.min(MOST_STARTED_SITES, others.size()))) listed.add(s.id());

        Set<Integer> keptIds = new HashSet<>();
        List<SiteInfo> out = new ArrayList<>();
        for (SiteRecord s : kept) {
            keptIds.add(s.id());
            if (!listed.contains(s.id())) continue;
            List<Frame> frames = siteFrames.computeIfAbsent(s.id(), id -> frames(s.stack().toArray(NO_FRAMES)));
            String kind = s.kind() == SiteRecord.EXECUTOR ? SiteInfo.EXECUTOR : s.kind() == SiteRecord.SUBMISSION ? SiteInfo.SUBMISSION : SiteInfo.THREAD;
            out.add(new SiteInfo(s.id(), frames, s.blame(), s.truncated(), s.started(), kind, s.lastEndedAtMs()));
        }
        siteFrames.keySet().retainAll(keptIds); // folded sites are gone for good
        return out;
    }

    static List<Frame> frames(StackTraceElement[] raw) {
        List<Frame> out = new ArrayList<>(raw.length);
        for (StackTraceElement e : raw) out.add(Frame.of(e));
        return out;
    }

    private static boolean isVirtual(Thread t) {
        return Registry.isVirtual(t);
    }

    /** Whether the thread stack size could not be read because module jdk.management is absent (a jlinked runtime). */
    public boolean stackSizeUnread() {
        return stackSizeUnread;
    }

    /** Bytes reserved per platform thread stack: -Xss / ThreadStackSize, else HotSpot's default of 1 MiB on 64-bit. */
    private long threadStackSize() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long kb = Long.parseLong(hs.getVMOption("ThreadStackSize").getValue());
            if (kb > 0) return kb * 1024;
        } catch (LinkageError e) {
            // looked up only now that it failed: a full JDK never pays for it
            stackSizeUnread = RuntimeModules.absent(RuntimeModules.JDK_MANAGEMENT);
        } catch (RuntimeException notHotSpot) {
            // fall through to the default
        }
        return 1024 * 1024;
    }
}
