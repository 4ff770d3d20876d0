package dev.threadleak.agent.sample;

import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.Site;
import dev.threadleak.agent.registry.ThreadRecord;
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
import java.util.List;
import java.util.Map;

/**
 * Takes {@link Snapshot}s: the registry's live threads joined with their current state and stack
 * (ThreadMXBean for platform threads, which it cannot see virtual ones for; Thread.getStackTrace for
 * virtual threads, up to {@link #MAX_VIRTUAL_STACKS} of them per snapshot to bound the cost).
 */
public final class Snapshotter {
    /** Virtual threads whose stacks one snapshot reads; the rest are listed with their state only. */
    static final int MAX_VIRTUAL_STACKS = 10_000;

    private final Registry registry;
    private final long agentStartedAtMs;
    private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    /** Site stacks converted once each; sites never change. */
    private final List<List<Frame>> siteFrames = new ArrayList<>();

    public Snapshotter(Registry registry, long agentStartedAtMs) {
        this.registry = registry;
        this.agentStartedAtMs = agentStartedAtMs;
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

    public synchronized Snapshot take() {
        long now = System.currentTimeMillis();
        registry.addUnseen(platformThreads(), now, Origin.BY_JVM);
        List<ThreadRecord> records = registry.liveRecords();
        Map<Long, ThreadInfo> infos = new HashMap<>();
        for (ThreadInfo info : mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported())) {
            if (info != null) infos.put(info.getThreadId(), info);
        }
        List<ThreadEntry> threads = new ArrayList<>(records.size());
        int live = 0, daemon = 0, virtual = 0, virtualStacks = 0;
        for (ThreadRecord r : records) {
            Thread t = r.thread();
            boolean isVirtual = isVirtual(t);
            ThreadEntry entry;
            if (isVirtual) {
                List<Frame> stack = virtualStacks++ < MAX_VIRTUAL_STACKS ? frames(t.getStackTrace()) : List.of();
                entry = entry(r, t.getState().name(), true, stack, null, null, null, null, List.of(), List.of());
            } else {
                ThreadInfo info = infos.get(t.getId());
                if (info == null) continue; // ended after the registry looked
                entry = platformEntry(r, info);
            }
            threads.add(entry);
            if (entry.agent()) continue;
            live++;
            if (entry.daemon()) daemon++;
            if (entry.virtual()) virtual++;
        }
        List<SiteInfo> sites = sites();
        long agentStarted = 0;
        for (SiteInfo s : sites) agentStarted += s.started();
        Summary summary = new Summary(live, daemon, virtual, mx.getPeakThreadCount(),
                mx.getTotalStartedThreadCount(), agentStarted);
        return new Snapshot(ProcessHandle.current().pid(), now, ManagementFactory.getRuntimeMXBean().getStartTime(),
                agentStartedAtMs, System.getProperty("java.version"), System.getProperty("sun.java.command", ""),
                summary, sites, threads);
    }

    private ThreadEntry platformEntry(ThreadRecord r, ThreadInfo info) {
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
        return entry(r, info.getThreadState().name(), false, frames(raw), parkBlocker, blockedOn, waitingOn, owner,
                monitors, synchronizers);
    }

    private ThreadEntry entry(ThreadRecord r, String state, boolean virtual, List<Frame> stack, String parkBlocker,
                              String blockedOn, String waitingOn, ThreadRef owner, List<OwnedMonitor> monitors,
                              List<String> synchronizers) {
        Thread t = r.thread();
        ThreadRef starter = r.starterName() == null ? null : new ThreadRef(r.starterTid(), r.starterName());
        return new ThreadEntry(t.getId(), t.getName(), state, virtual, t.isDaemon(), t.getPriority(), stack,
                parkBlocker, blockedOn, waitingOn, owner, monitors, synchronizers, r.origin(), r.siteId(),
                r.startedAtMs(), starter, registry.isOwn(t));
    }

    private List<SiteInfo> sites() {
        List<Site> all = registry.sites().all();
        List<SiteInfo> out = new ArrayList<>(all.size());
        for (Site s : all) {
            if (s.id() == siteFrames.size()) siteFrames.add(frames(s.stack().toArray(new StackTraceElement[0])));
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
}
