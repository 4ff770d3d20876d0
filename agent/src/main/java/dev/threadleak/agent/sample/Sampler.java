package dev.threadleak.agent.sample;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.Site;
import dev.threadleak.agent.registry.ThreadRecord;
import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.Origin;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Samples the JVM's threads into {@link Snapshot}s: the registry's live threads joined with their state,
 * stack and locks (ThreadMXBean for platform threads; Thread.getStackTrace for virtual threads, which
 * ThreadMXBean cannot see, round-robin within a budget per sample), what each waits for and since when,
 * deadlocks, and the findings. Called on the agent's thread every {@code sample} interval, and for dumps.
 */
public final class Sampler {
    /** Virtual-thread stacks read per periodic sample and per dump; the rest keep their last observed wait. */
    static final int VIRTUAL_BUDGET_SAMPLE = 1_000;
    static final int VIRTUAL_BUDGET_DUMP = 10_000;
    /** Frames read per platform thread in periodic samples (dumps read whole stacks). */
    static final int SAMPLE_DEPTH = 64;
    private static final StackTraceElement[] NO_FRAMES = new StackTraceElement[0];

    private final Registry registry;
    private final long agentStartedAtMs;
    private final long blockedMs;
    private final Findings.Thresholds thresholds;
    private final History history;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    private final long stackSizeBytes = threadStackSize();
    private final WaitTracker waits = new WaitTracker();
    /** Site stacks converted once each; sites never change. */
    private final List<List<Frame>> siteFrames = new ArrayList<>();
    private int virtualCursor;
    private int baseline = -1;
    private Snapshot last;

    public Sampler(Registry registry, long agentStartedAtMs, long blockedMs, long windowMs, int growth, int duplicates) {
        this.registry = registry;
        this.agentStartedAtMs = agentStartedAtMs;
        this.blockedMs = blockedMs;
        this.thresholds = new Findings.Thresholds(blockedMs, duplicates, growth);
        this.history = new History(windowMs);
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

    /** The most recent snapshot, or null before the first. */
    public synchronized Snapshot last() {
        return last;
    }

    /** Makes the next snapshot's live count the baseline that GROWTH and {@code delta} compare against. */
    public synchronized void resetBaseline() {
        baseline = -1;
    }

    /**
     * Samples the threads now.
     *
     * @param full for dumps: whole stacks, held monitors and ownable synchronizers (costly: a heap walk)
     *             and a larger virtual-thread budget; periodic samples read less
     */
    public synchronized Snapshot take(boolean full) {
        long now = System.currentTimeMillis();
        registry.addUnseen(platformThreads(), now, Origin.BY_JVM);
        List<ThreadRecord> records = registry.liveRecords();
        Map<Long, ThreadInfo> infos = platformInfos(full);
        Set<Long> virtualToRead = virtualToRead(records, full ? VIRTUAL_BUDGET_DUMP : VIRTUAL_BUDGET_SAMPLE);

        waits.beginRound();
        List<ThreadEntry> threads = new ArrayList<>(records.size());
        for (ThreadRecord r : records) {
            Thread t = r.thread();
            ThreadEntry entry;
            if (isVirtual(t)) {
                entry = virtualEntry(r, virtualToRead.contains(t.getId()), now);
            } else {
                ThreadInfo info = infos.get(t.getId());
                if (info == null) continue; // ended after the registry looked
                entry = platformEntry(r, info, now);
            }
            threads.add(entry);
        }
        waits.endRound();

        Summary summary = summary(threads);
        Snapshot s = new Snapshot(ProcessHandle.current().pid(), now, ManagementFactory.getRuntimeMXBean().getStartTime(),
                agentStartedAtMs, System.getProperty("java.version"), System.getProperty("sun.java.command", ""),
                summary, sites(), threads, blockedMs, deadlocks(infos), List.of());
        s = new Snapshot(s.pid(), s.takenAtMs(), s.jvmStartedAtMs(), s.agentStartedAtMs(), s.javaVersion(), s.command(),
                s.summary(), s.sites(), s.threads(), s.blockedThresholdMs(), s.deadlocks(), Findings.compute(s, history, thresholds));
        history.add(s);
        last = s;
        return s;
    }

    private Map<Long, ThreadInfo> platformInfos(boolean full) {
        // Held locks only matter to dumps (jstack's "- locked" lines), and ownable synchronizers cost a heap
        // walk: periodic samples skip both. What a thread waits for, and who holds it, comes regardless.
        ThreadInfo[] all = full ? mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported())
                : mx.getThreadInfo(mx.getAllThreadIds(), false, false, SAMPLE_DEPTH);
        Map<Long, ThreadInfo> infos = new HashMap<>();
        for (ThreadInfo info : all) {
            if (info != null) infos.put(info.getThreadId(), info);
        }
        return infos;
    }

    /** The next {@code budget} virtual threads, round-robin across samples, so a million cost bounded time. */
    private Set<Long> virtualToRead(List<ThreadRecord> records, int budget) {
        List<Long> virtual = new ArrayList<>();
        for (ThreadRecord r : records) {
            if (isVirtual(r.thread())) virtual.add(r.thread().getId());
        }
        if (virtual.size() <= budget) return new HashSet<>(virtual);
        Set<Long> chosen = new HashSet<>();
        for (int i = 0; i < budget; i++) chosen.add(virtual.get((virtualCursor + i) % virtual.size()));
        virtualCursor = (virtualCursor + budget) % virtual.size();
        return chosen;
    }

    private ThreadEntry virtualEntry(ThreadRecord r, boolean read, long now) {
        Thread t = r.thread();
        Thread.State state = t.getState();
        if (read) {
            StackTraceElement[] raw = t.getStackTrace();
            WaitReason reason = WaitReason.of(state, raw, null, null);
            long since = waits.observe(t.getId(), state, raw, null, -1, reason, now);
            return entry(r, state.name(), true, frames(raw), null, null, null, null, List.of(), List.of(), reason, since, now);
        }
        WaitTracker.Observed seen = waits.keep(t.getId());
        WaitReason reason = seen == null ? null : seen.reason();
        return entry(r, state.name(), true, List.of(), null, null, null, null, List.of(), List.of(), reason,
                seen == null ? now : seen.sinceMs(), now);
    }

    private ThreadEntry platformEntry(ThreadRecord r, ThreadInfo info, long now) {
        StackTraceElement[] raw = info.getStackTrace();
        LockInfo lock = info.getLockInfo();
        String lockName = lock == null ? null : lock.toString();
        String parkBlocker = null, blockedOn = null, waitingOn = null;
        if (lockName != null) {
            if (info.getThreadState() == Thread.State.BLOCKED) blockedOn = lockName;
            else if (raw.length > 0 && raw[0].getClassName().equals("java.lang.Object") && raw[0].getMethodName().startsWith("wait")) waitingOn = lockName;
            else parkBlocker = lockName;
        }
        ThreadRef owner = info.getLockOwnerId() >= 0 ? new ThreadRef(info.getLockOwnerId(), info.getLockOwnerName()) : null;
        List<OwnedMonitor> monitors = new ArrayList<>();
        for (MonitorInfo m : info.getLockedMonitors()) monitors.add(new OwnedMonitor(m.getLockedStackDepth(), m.toString()));
        List<String> synchronizers = new ArrayList<>();
        for (LockInfo s : info.getLockedSynchronizers()) synchronizers.add(s.toString());
        WaitReason reason = WaitReason.of(info.getThreadState(), raw, lockName, info.getLockOwnerName());
        long since = waits.observe(info.getThreadId(), info.getThreadState(), raw, lockName,
                info.getWaitedCount() + info.getBlockedCount(), reason, now);
        return entry(r, info.getThreadState().name(), false, frames(raw), parkBlocker, blockedOn, waitingOn, owner,
                monitors, synchronizers, reason, since, now);
    }

    private ThreadEntry entry(ThreadRecord r, String state, boolean virtual, List<Frame> stack, String parkBlocker,
                              String blockedOn, String waitingOn, ThreadRef owner, List<OwnedMonitor> monitors,
                              List<String> synchronizers, WaitReason reason, long sinceMs, long now) {
        Thread t = r.thread();
        ThreadRef starter = r.starterName() == null ? null : new ThreadRef(r.starterTid(), r.starterName());
        boolean waiting = reason != null && reason != WaitReason.RUNNING;
        return new ThreadEntry(t.getId(), t.getName(), state, virtual, t.isDaemon(), t.getPriority(), stack,
                parkBlocker, blockedOn, waitingOn, owner, monitors, synchronizers, r.origin(), r.siteId(),
                r.startedAtMs(), starter, registry.isOwn(t), reason == null ? null : reason.reason(),
                reason != null && reason.idle(), waiting ? Math.max(0, now - sinceMs) : 0);
    }

    private Summary summary(List<ThreadEntry> threads) {
        int live = 0, daemon = 0, virtual = 0;
        Map<String, Integer> states = new TreeMap<>();
        for (ThreadEntry t : threads) {
            if (t.agent()) continue;
            live++;
            if (t.daemon()) daemon++;
            if (t.virtual()) virtual++;
            states.merge(t.state(), 1, Integer::sum);
        }
        if (baseline < 0) baseline = live;
        long agentStarted = 0;
        for (Site s : registry.sites().all()) agentStarted += s.started();
        return new Summary(live, daemon, virtual, mx.getPeakThreadCount(), mx.getTotalStartedThreadCount(), agentStarted,
                baseline, states, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                (long) (live - virtual) * stackSizeBytes);
    }

    /** Lock cycles: each deadlocked thread, the lock it wants, and who holds it, once per cycle. */
    private List<Deadlock> deadlocks(Map<Long, ThreadInfo> infos) {
        long[] ids = mx.findDeadlockedThreads();
        if (ids == null) return List.of();
        List<Deadlock> out = new ArrayList<>();
        Set<Long> done = new HashSet<>();
        for (long id : ids) {
            if (done.contains(id)) continue;
            List<Deadlock.Link> cycle = new ArrayList<>();
            Set<Long> path = new HashSet<>();
            long cur = id;
            // walk owners until a thread repeats; threads that only lead into a cycle are skipped
            while (path.add(cur)) {
                ThreadInfo info = infos.get(cur);
                if (info == null) info = mx.getThreadInfo(cur);
                if (info == null || info.getLockOwnerId() < 0) break;
                cur = info.getLockOwnerId();
            }
            long start = cur;
            do {
                ThreadInfo info = infos.get(cur);
                if (info == null) info = mx.getThreadInfo(cur);
                if (info == null || info.getLockOwnerId() < 0) break;
                cycle.add(new Deadlock.Link(new ThreadRef(cur, info.getThreadName()), info.getLockName(),
                        new ThreadRef(info.getLockOwnerId(), info.getLockOwnerName())));
                done.add(cur);
                cur = info.getLockOwnerId();
            } while (cur != start);
            for (long p : path) done.add(p);
            if (cycle.size() > 1 && cur == start) out.add(new Deadlock(List.copyOf(cycle)));
        }
        return out;
    }

    private List<SiteInfo> sites() {
        List<Site> all = registry.sites().all();
        List<SiteInfo> out = new ArrayList<>(all.size());
        for (Site s : all) {
            if (s.id() == siteFrames.size()) siteFrames.add(frames(s.stack().toArray(NO_FRAMES)));
            out.add(new SiteInfo(s.id(), siteFrames.get(s.id()), s.blame(), s.truncated(), s.started()));
        }
        return out;
    }

    static List<Frame> frames(StackTraceElement[] raw) {
        List<Frame> out = new ArrayList<>(raw.length);
        for (StackTraceElement e : raw) out.add(Frame.of(e));
        return out;
    }

    static boolean isVirtual(Thread t) {
        return t.getClass().getName().equals("java.lang.VirtualThread");
    }

    /** Bytes reserved per platform thread stack: -Xss / ThreadStackSize, else HotSpot's default of 1 MiB on 64-bit. */
    private static long threadStackSize() {
        try {
            HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long kb = Long.parseLong(hs.getVMOption("ThreadStackSize").getValue());
            if (kb > 0) return kb * 1024;
        } catch (RuntimeException | LinkageError notHotSpot) {
            // fall through to the default
        }
        return 1024 * 1024;
    }
}
