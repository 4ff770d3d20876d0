package dev.threadleak.agent.foreign;

import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.sample.LockCycles;
import dev.threadleak.agent.sample.WaitReason;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One JVM's JDK dumps, oldest first, made into snapshots and judged as the agent judges its samples: the same findings,
 * the same {@link History}, each dump one sample. What the agent would know and a dump does not is said, not made up:
 * <ul>
 * <li>where a thread was started: only a JFR recording's {@code jdk.ThreadStart} says. Else a thread's site is its whole
 *     current stack ({@link SiteInfo#STACK}), blamed by the same rules at its first application frame: threads that leak
 *     wait alike, and one stack across dumps is one site, so growth names the stack that grows;</li>
 * <li>how long a thread has waited: as long as it has been seen in the same wait, from dump to dump (0 in its first);</li>
 * <li>a thread's age: from its {@code elapsed} time where the dump prints one, else from when it was first seen.</li>
 * </ul>
 * Site ids are kept across every dump given to one instance, so two inputs compare.
 */
public final class JdkSnapshots {
    /** Every dump given is in the window: the user chose them, minutes or days apart. */
    private static final long WINDOW_MS = Long.MAX_VALUE / 4;

    /** The state of a thread the input shows no state of. */
    static final String UNKNOWN_STATE = "UNKNOWN";

    private final Blame blame;
    private final long blockedMs;
    private final Findings.Thresholds thresholds;
    private final Map<String, Integer> siteIds = new HashMap<>();
    private final List<SiteInfo> sites = new ArrayList<>();
    /** Distinct threads seen per site: a stack site's "started". */
    private final Map<Integer, Set<Long>> siteThreads = new HashMap<>();
    private final Map<Long, JvmState> jvms = new HashMap<>();
    private final Pools pools = new Pools();

    /** What is remembered of one JVM between its dumps. */
    private static final class JvmState {
        final History history = new History(WINDOW_MS);
        final long firstAtMs;
        final int baseline;
        final Map<Long, Long> firstSeen = new HashMap<>();
        final Map<Long, String> waitOf = new HashMap<>();
        final Map<Long, Long> waitSince = new HashMap<>();
        int peak;
        long lastAtMs = Long.MIN_VALUE;
        long startedAtMs = -1;

        JvmState(JdkDump first) {
            firstAtMs = first.takenAtMs();
            baseline = first.threads().size();
        }
    }

    /** With the agent's default thresholds; {@code appPackages}: the {@code app} option's packages, blamed first. */
    public JdkSnapshots(List<String> appPackages) {
        Options o = Options.defaults();
        blame = Blame.ofAnotherJvm(appPackages);
        blockedMs = o.blocked().toMillis();
        thresholds = new Findings.Thresholds(blockedMs, o.duplicates(), o.growth());
    }

    /**
     * The dumps of {@code files} (jstack or jcmd text, JDK JSON thread dumps, JFR recordings; a text may hold several dumps),
     * each made into a snapshot judged against the ones before it, oldest first. A later call continues the same JVMs: its
     * dumps must be newer than those already read (findings judge in time order).
     */
    public List<Snapshot> read(List<Path> files) throws DumpFormatException {
        List<JdkDump> read = new ArrayList<>();
        List<Path> from = new ArrayList<>();
        for (Path f : files) {
            for (JdkDump d : JdkInputs.read(f)) {
                read.add(d);
                from.add(f);
            }
        }
        List<JdkDump> all = JstackText.preciseTimes(read);
        Integer[] order = new Integer[all.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingLong(i -> all.get(i).takenAtMs()));
        List<Snapshot> out = new ArrayList<>(all.size());
        for (int i : order) {
            JdkDump d = all.get(i);
            JvmState jvm = jvms.get(d.pid());
            if (jvm != null && d.takenAtMs() < jvm.lastAtMs) {
                throw new DumpFormatException(from.get(i) + ": taken at " + Instant.ofEpochMilli(d.takenAtMs()) + ", before the dumps read ahead of it ("
                        + Instant.ofEpochMilli(jvm.lastAtMs) + "): give a JVM's dumps oldest first");
            }
            out.add(judge(d));
        }
        return out;
    }

    /** One dump, judged against the dumps of its JVM judged before it (older ones). */
    Snapshot judge(JdkDump d) {
        JvmState jvm = jvms.computeIfAbsent(d.pid(), k -> new JvmState(d));
        jvm.lastAtMs = d.takenAtMs();
        long now = d.takenAtMs();
        Map<Long, JdkThread> byId = new HashMap<>();
        Map<String, JdkThread> holders = new HashMap<>();
        for (JdkThread t : d.threads()) {
            byId.put(t.tid(), t);
            for (OwnedMonitor m : t.monitorsOwned()) holders.put(m.lock(), t);
            for (String s : t.synchronizersOwned()) holders.put(s, t);
        }
        List<ThreadEntry> entries = new ArrayList<>(d.threads().size());
        Map<String, Integer> states = new TreeMap<>();
        int daemon = 0, virtual = 0;
        long jvmStart = now, started = 0;
        for (JdkThread t : d.threads()) {
            String lock = t.blockedOn() != null ? t.blockedOn() : t.parkBlocker();
            JdkThread holder = lock == null ? null : holders.get(lock);
            ThreadRef owner = holder == null || holder.tid() == t.tid() ? null : new ThreadRef(holder.tid(), holder.name());
            entries.add(entry(jvm, t, now, owner));
            states.merge(t.state() == null ? UNKNOWN_STATE : t.state(), 1, Integer::sum);
            if (t.daemon()) daemon++;
            if (t.virtual()) virtual++;
            if (t.startedAtMs() >= 0) jvmStart = Math.min(jvmStart, t.startedAtMs());
            if (t.creation() != null) started++;
        }
        jvm.firstSeen.keySet().retainAll(byId.keySet());
        jvm.waitOf.keySet().retainAll(byId.keySet());
        jvm.waitSince.keySet().retainAll(byId.keySet());
        jvm.peak = Math.max(jvm.peak, entries.size());
        Summary summary = Summary.builder().live(entries.size()).daemon(daemon).virtual(virtual).peak(jvm.peak)
                .agentStarted(started).baseline(jvm.baseline).states(Map.copyOf(states)).build();
        Map<Long, String> containers = new HashMap<>();
        Map<Long, List<Frame>> creations = new HashMap<>();
        for (JdkThread t : d.threads()) {
            if (t.container() != null) containers.put(t.tid(), t.container());
            if (t.creation() != null) creations.put(t.tid(), t.creation());
        }
        Pools.Placed placed = pools.place(entries, containers, creations);
        // one start for all of a JVM's dumps (estimated from its oldest thread's elapsed time, which each dump rounds alike):
        // it names the JVM, as the agent's own dumps' start does
        if (jvm.startedAtMs < 0) jvm.startedAtMs = d.jvmStartedAtMs() >= 0 ? d.jvmStartedAtMs() : Math.min(jvmStart, jvm.firstAtMs);
        Snapshot s = Snapshot.builder().pid(Math.max(d.pid(), 0)).takenAtMs(now).jvmStartedAtMs(jvm.startedAtMs).command(d.command())
                .agentStartedAtMs(jvm.firstAtMs).javaVersion(d.javaVersion() == null ? "unknown" : d.javaVersion()).input(d.input())
                .summary(summary).sites(sitesOf(entries)).threads(placed.threads()).executors(placed.executors()).blockedThresholdMs(blockedMs)
                .deadlocks(LockCycles.among(entries)).build();
        History.Tick tick = History.tick(s);
        Snapshot judged = s.withFindings(Findings.compute(s, tick, jvm.history, thresholds));
        jvm.history.add(tick, judged.findings());
        return judged;
    }

    private ThreadEntry entry(JvmState jvm, JdkThread t, long now, ThreadRef owner) {
        long firstSeen = jvm.firstSeen.computeIfAbsent(t.tid(), k -> now);
        StackTraceElement[] raw = Frame.elements(t.stack());
        Thread.State state = t.state() == null ? null : state(t.state());
        String lock = t.blockedOn() != null ? t.blockedOn() : t.waitingOn() != null ? t.waitingOn() : t.parkBlocker();
        // a thread a JFR recording saw start after its last thread dump: its state is not known, and not guessed
        WaitReason wait = state == null ? null : WaitReason.of(state, raw, lock, owner == null ? null : owner.name());
        boolean waiting = wait != null && !wait.reason().equals(ThreadEntry.RUNNING);
        // the same wait as in the dump before: the wait goes on (its reason, and the stack where it waits)
        String waitKey = waiting ? wait.reason() + "\n" + t.stack() : null;
        String before = jvm.waitOf.put(t.tid(), waitKey);
        if (!waiting) jvm.waitSince.remove(t.tid());
        else if (before == null || !before.equals(waitKey)) jvm.waitSince.put(t.tid(), now);
        long waitingFor = waiting ? now - jvm.waitSince.get(t.tid()) : 0;
        int site = -1;
        Origin origin = Origin.NOT_RECORDED;
        if (t.creation() != null && !t.creation().isEmpty()) {
            site = site(SiteInfo.THREAD, t.creation(), t.tid());
            origin = Origin.STARTED;
        } else if (!t.stack().isEmpty()) {
            site = site(SiteInfo.STACK, t.stack(), t.tid());
        }
        int waitFrame = waiting && !wait.idle() ? blame.applicationFrame(classNames(t.stack())) : -1;
        return ThreadEntry.builder(t.tid(), t.name()).state(state == null ? UNKNOWN_STATE : state.name()).virtual(t.virtual()).daemon(t.daemon()).priority(t.priority())
                .stack(t.stack()).parkBlocker(t.parkBlocker()).blockedOn(t.blockedOn()).waitingOn(t.waitingOn()).lockOwner(owner)
                .monitorsOwned(t.monitorsOwned()).synchronizersOwned(t.synchronizersOwned()).origin(origin).site(site)
                .startedAtMs(t.startedAtMs() >= 0 ? t.startedAtMs() : firstSeen).starter(t.starter()).waitReason(wait == null ? null : wait.reason())
                .idle(wait != null && wait.idle()).waitingForMs(waitingFor).waitFrame(waitFrame).build();
    }

    /** The site of {@code stack} of this kind, made on its first thread; ids in order of first sight, kept for every dump after. */
    private int site(String kind, List<Frame> stack, long tid) {
        String key = kind + "\n" + stack;
        Integer id = siteIds.get(key);
        if (id == null) {
            id = sites.size();
            siteIds.put(key, id);
            int blameAt = kind.equals(SiteInfo.THREAD) ? blame.index(List.of(Frame.elements(stack))) : blame.namingFrame(classNames(stack));
            sites.add(new SiteInfo(id, stack, blameAt, false, 0, kind, 0));
        }
        siteThreads.computeIfAbsent(id, k -> new HashSet<>()).add(tid);
        return id;
    }

    /** The sites of this dump's threads, in id order, each with the distinct threads seen in it so far. */
    private List<SiteInfo> sitesOf(List<ThreadEntry> entries) {
        Set<Integer> used = new HashSet<>();
        for (ThreadEntry t : entries) {
            if (t.site() >= 0) used.add(t.site());
        }
        List<SiteInfo> out = new ArrayList<>(used.size());
        for (SiteInfo s : sites) {
            if (!used.contains(s.id())) continue;
            out.add(new SiteInfo(s.id(), s.stack(), s.blame(), false, siteThreads.get(s.id()).size(), s.kind(), 0));
        }
        return List.copyOf(out);
    }

    private static Thread.State state(String name) {
        for (Thread.State s : Thread.State.values()) {
            if (s.name().equals(name)) return s;
        }
        return Thread.State.RUNNABLE;
    }

    private static List<String> classNames(List<Frame> stack) {
        List<String> out = new ArrayList<>(stack.size());
        for (Frame f : stack) out.add(f.className());
        return out;
    }
}
