package dev.threadleak.agent.snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 * @param http           the address the agent's HTTP endpoint serves on ({@code 127.0.0.1:9464}), or empty when it serves none
 * @param input          empty for the agent's own snapshot; else what the JDK wrote that it was read from, in words
 *                       ({@code jstack dump}, {@code JDK JSON thread dump}, {@code JFR recording}): no agent saw its threads
 * @param sites          creation sites in id order: those of live threads and the most-started others
 * @param threads        live threads, in start order
 * @param blockedThresholdMs how long a wait lasts before the thread is long-blocked (the {@code blocked} option)
 * @param deadlocks      lock cycles found at the instant
 * @param findings       leak verdicts, most severe first
 * @param executors      live executors (thread pools), by id
 * @param sampling       how often the agent samples, and what a sample costs
 */
public record Snapshot(long pid, long takenAtMs, long jvmStartedAtMs, long agentStartedAtMs, String javaVersion,
                       String command, String http, String input, Summary summary, List<SiteInfo> sites, List<ThreadEntry> threads,
                       long blockedThresholdMs, List<Deadlock> deadlocks, List<Finding> findings,
                       List<ExecutorInfo> executors, Sampling sampling) {

    public static final String FORMAT = "threadleak-dump/1";

    /** The {@code input} of a snapshot read from what the JDK wrote, by format. */
    public static final String JSTACK_INPUT = "jstack dump", JSON_INPUT = "JDK JSON thread dump", JFR_INPUT = "JFR recording";

    /** Read from what the JDK wrote (a jstack dump, a JFR recording), not taken by the agent. */
    public boolean fromJdkInput() {
        return !input.isEmpty();
    }

    /** The same snapshot with its findings. */
    public Snapshot withFindings(List<Finding> findings) {
        return toBuilder().findings(findings).build();
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
        // by identity: an entry's record equals and hashCode would compare whole stacks (and be bootstrapped, see ARCHITECTURE.md)
        Set<ThreadEntry> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<Integer, ArrayDeque<ThreadEntry>> byGroup = new LinkedHashMap<>();
        for (ThreadEntry t : threads) {
            if (t.agentThread() || named.contains(t.tid()) || (t.task() != null && t.task().runningForMs(takenAtMs) >= blockedThresholdMs)) {
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
        return toBuilder().summary(summary.toBuilder().threadsNotListed(total).build()).sites(List.copyOf(counted)).threads(listed).build();
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

    /**
     * A builder whose lists start empty, its numbers at 0, its command empty (as a dump without one reads) and its
     * Java version null; {@code summary} must be set. Fields are set by name: thirteen positionals, four of them
     * times in ms side by side, are a swap waiting to happen.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this snapshot's fields, to change some of them. */
    public Builder toBuilder() {
        return builder().pid(pid).takenAtMs(takenAtMs).jvmStartedAtMs(jvmStartedAtMs).agentStartedAtMs(agentStartedAtMs)
                .javaVersion(javaVersion).command(command).http(http).input(input).summary(summary).sites(sites).threads(threads)
                .blockedThresholdMs(blockedThresholdMs).deadlocks(deadlocks).findings(findings).executors(executors).sampling(sampling);
    }

    /** Sets {@link Snapshot}'s fields by name (see the record's parameters for what each means). */
    public static final class Builder {
        private long pid, takenAtMs, jvmStartedAtMs, agentStartedAtMs;
        private String javaVersion;
        private String command = "";
        private String http = "";
        private String input = "";
        private Summary summary;
        private List<SiteInfo> sites = List.of();
        private List<ThreadEntry> threads = List.of();
        private long blockedThresholdMs;
        private List<Deadlock> deadlocks = List.of();
        private List<Finding> findings = List.of();
        private List<ExecutorInfo> executors = List.of();
        private Sampling sampling = Sampling.UNKNOWN;

        private Builder() {}

        public Builder pid(long v) { pid = v; return this; }
        public Builder takenAtMs(long v) { takenAtMs = v; return this; }
        public Builder jvmStartedAtMs(long v) { jvmStartedAtMs = v; return this; }
        public Builder agentStartedAtMs(long v) { agentStartedAtMs = v; return this; }
        public Builder javaVersion(String v) { javaVersion = v; return this; }
        public Builder command(String v) { command = v; return this; }
        public Builder http(String v) { http = v; return this; }
        public Builder input(String v) { input = v; return this; }
        public Builder summary(Summary v) { summary = v; return this; }
        public Builder sites(List<SiteInfo> v) { sites = v; return this; }
        public Builder threads(List<ThreadEntry> v) { threads = v; return this; }
        public Builder blockedThresholdMs(long v) { blockedThresholdMs = v; return this; }
        public Builder deadlocks(List<Deadlock> v) { deadlocks = v; return this; }
        public Builder findings(List<Finding> v) { findings = v; return this; }
        public Builder executors(List<ExecutorInfo> v) { executors = v; return this; }
        public Builder sampling(Sampling v) { sampling = v; return this; }

        public Snapshot build() {
            return new Snapshot(pid, takenAtMs, jvmStartedAtMs, agentStartedAtMs, javaVersion, command, http, input, Objects.requireNonNull(summary, "summary"),
                    sites, threads, blockedThresholdMs, deadlocks, findings, executors, sampling);
        }
    }
}
