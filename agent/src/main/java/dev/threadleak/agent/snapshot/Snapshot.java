package dev.threadleak.agent.snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one model of a JVM's threads at an instant: what the agent captures, what dump files hold, what the
 * CLI reads back. Every view renders this; none recomputes its facts.
 *
 * @param pid            process id of the JVM
 * @param takenAtMs      epoch ms of the snapshot
 * @param jvmStartedAtMs epoch ms the JVM started
 * @param agentStartedAtMs epoch ms the agent loaded
 * @param javaVersion    {@code java.version} of the JVM
 * @param command        the JVM's main class or jar and arguments, as {@code sun.java.command} gives them
 * @param sites          creation sites in id order: those of live threads and the most-started others
 * @param threads        live threads, in start order
 * @param blockedThresholdMs how long a wait lasts before the thread is long-blocked (the {@code blocked} option)
 * @param deadlocks      lock cycles found at the instant
 * @param findings       leak verdicts, most severe first
 * @param executors      live executors (thread pools), by id
 */
public record Snapshot(long pid, long takenAtMs, long jvmStartedAtMs, long agentStartedAtMs, String javaVersion,
                       String command, Summary summary, List<SiteInfo> sites, List<ThreadEntry> threads,
                       long blockedThresholdMs, List<Deadlock> deadlocks, List<Finding> findings,
                       List<ExecutorInfo> executors) {

    public static final String FORMAT = "threadleak-dump/1";

    /** The same snapshot with its findings. */
    public Snapshot withFindings(List<Finding> findings) {
        return new Snapshot(pid, takenAtMs, jvmStartedAtMs, agentStartedAtMs, javaVersion, command, summary, sites, threads,
                blockedThresholdMs, deadlocks, findings, executors);
    }

    /** The same snapshot, its totals measured against {@code baseline}. */
    public Snapshot withBaseline(int baseline) {
        return new Snapshot(pid, takenAtMs, jvmStartedAtMs, agentStartedAtMs, javaVersion, command, summary.withBaseline(baseline),
                sites, threads, blockedThresholdMs, deadlocks, findings, executors);
    }

    /**
     * The snapshot a dump file holds: at most {@code max} threads listed, so a million virtual threads do not
     * make a dump of hundreds of MB. Kept first: threadleak's own, and every thread a finding or a deadlock
     * names by being long-blocked, deadlocked or running a stuck task; then, in start order, turns across the
     * groups (blame sites), so every group keeps examples. The rest are counted per blame site
     * ({@link SiteInfo#notListed}) and in {@link Summary#threadsNotListed}; totals and findings, computed
     * from every thread, are unchanged.
     */
    public Snapshot withThreadsListed(int max) {
        if (threads.size() <= max) return this;
        Set<Long> named = new HashSet<>();
        for (ThreadEntry t : longBlocked()) named.add(t.tid());
        for (Deadlock d : deadlocks) {
            for (Deadlock.Link l : d.cycle()) named.add(l.thread().tid());
        }
        Set<ThreadEntry> kept = new LinkedHashSet<>();
        Map<Integer, ArrayDeque<ThreadEntry>> byGroup = new LinkedHashMap<>();
        for (ThreadEntry t : threads) {
            if (t.agentThread() || named.contains(t.tid()) || t.task() != null && t.task().runningForMs(takenAtMs) >= blockedThresholdMs) {
                kept.add(t);
            } else {
                byGroup.computeIfAbsent(blameSite(t), k -> new ArrayDeque<>()).add(t);
            }
        }
        while (kept.size() < max && !byGroup.isEmpty()) {
            for (Iterator<ArrayDeque<ThreadEntry>> it = byGroup.values().iterator(); it.hasNext() && kept.size() < max; ) {
                ArrayDeque<ThreadEntry> group = it.next();
                kept.add(group.poll());
                if (group.isEmpty()) it.remove();
            }
        }
        Map<Integer, Long> notListed = new HashMap<>();
        long total = 0;
        for (ArrayDeque<ThreadEntry> group : byGroup.values()) {
            for (ThreadEntry t : group) {
                notListed.merge(blameSite(t), 1L, Long::sum);
                total++;
            }
        }
        List<SiteInfo> counted = new ArrayList<>(sites.size());
        for (SiteInfo s : sites) {
            counted.add(new SiteInfo(s.id(), s.stack(), s.blame(), s.truncated(), s.started(), s.kind(), notListed.getOrDefault(s.id(), 0L), s.lastEndedAtMs()));
        }
        List<ThreadEntry> listed = threads.stream().filter(kept::contains).toList(); // in start order, as in threads
        return new Snapshot(pid, takenAtMs, jvmStartedAtMs, agentStartedAtMs, javaVersion, command, summary.withThreadsNotListed(total),
                List.copyOf(counted), listed, blockedThresholdMs, deadlocks, findings, executors);
    }

    /** The executor with this id, or null. */
    public ExecutorInfo executor(int id) {
        for (ExecutorInfo e : executors) {
            if (e.id() == id) return e;
        }
        return null;
    }

    /**
     * The site a thread's group and findings blame: for a pool worker, where its executor was built (the line
     * that made the pool, not the JDK code that started the worker); for any other thread, its creation site.
     */
    public int blameSite(ThreadEntry t) {
        ExecutorInfo e = t.executor() >= 0 ? executor(t.executor()) : null;
        return e != null && e.site() >= 0 ? e.site() : t.site();
    }

    /**
     * A pool worker whose task has run for the threshold or longer and does not wait for work (a pooled connection
     * reading its next request is idle, not stuck); false when the threshold is 0 (off).
     */
    public boolean runsStuckTask(ThreadEntry t) {
        return t.task() != null && !t.idle() && blockedThresholdMs > 0 && t.task().runningForMs(takenAtMs) >= blockedThresholdMs;
    }

    /** Threads stuck in one wait (not waiting for work) for at least the threshold; none when the threshold is 0 (off). */
    public List<ThreadEntry> longBlocked() {
        if (blockedThresholdMs <= 0) return List.of();
        return threads.stream().filter(t -> !t.agentThread() && t.waitingNotIdle() && t.waitingForMs() >= blockedThresholdMs).toList();
    }

    /** The site with this id, or null (-1, or a site not listed); {@code sites} is in id order. */
    public SiteInfo site(int id) {
        int lo = 0, hi = sites.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1, at = sites.get(mid).id();
            if (at == id) return sites.get(mid);
            if (at < id) lo = mid + 1;
            else hi = mid - 1;
        }
        return null;
    }
}
