package dev.threadleak.agent.findings;

import dev.threadleak.agent.findings.History.Tick;
import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Finding.Severity;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The leak verdicts, computed in one place from a snapshot and the {@link History} of earlier ones. Every
 * rule errs towards silence: a healthy service (busy then idle pools, short-lived threads, one scheduler)
 * gets no finding.
 */
public final class Findings {
    /** The thresholds users set through agent options. */
    public record Thresholds(long blockedMs, int duplicates, int growth) {}

    /**
     * A site must gain at least this many owners across the window ({@link Rising#rising}): the climb's {@link Climb#MIN_GAIN},
     * so a handful of long-lived threads started one by one (six publishers) is no leak however fast they come.
     */
    static final int MIN_SITE_GROWTH = Climb.MIN_GAIN;
    /** Distinct pool numbers alive at once before re-created pools are suspected. */
    static final int MIN_POOLS = 5;
    private static final Pattern POOL_WORDS = Pattern.compile("(?i).*(pool|timer|executor|scheduler|eventloop|group|httpclient|selector).*");

    private Findings() {}

    /**
     * Findings for {@code s}, most severe first; {@code history} holds the snapshots before it, and {@code now} is
     * {@code s} reduced by {@link History#tick} (made once: the caller may then remember it).
     */
    public static List<Finding> compute(Snapshot s, Tick now, History history, Thresholds th) {
        List<Tick> window = history.window(s.takenAtMs());
        List<Finding> out = new ArrayList<>();
        deadlocks(s, out);
        siteGrowth(s, history, window, now, out);
        unclosedExecutors(s, window, now, out);
        if (history.spansAWindowAt(s.takenAtMs())) growth(s, window, now, th, out);
        Set<Long> stuckTasks = stuckTasks(s, out);
        queueStalls(s, out);
        longBlocked(s, stuckTasks, out);
        recreatedPools(s, window, now, out);
        duplicateStacks(s, th, out);
        out.replaceAll(f -> history.raised(f, s.takenAtMs()));
        out.sort(Comparator.comparing(Finding::severity).thenComparing(Comparator.comparingInt(Finding::threads).reversed()));
        return List.copyOf(out);
    }

    private static void deadlocks(Snapshot s, List<Finding> out) {
        for (Deadlock d : s.deadlocks()) {
            ThreadEntry first = thread(s, d.cycle().get(0).thread().tid());
            long since = s.takenAtMs() - d.cycle().stream().mapToLong(l -> waitingFor(s, l.thread().tid())).min().orElse(0);
            List<String> evidence = new ArrayList<>();
            evidence.add("cycle: " + d.describe());
            // each thread's stack down to where it waits, with what it waits for and holds: both lock orders on screen
            for (Deadlock.Link l : d.cycle()) {
                ThreadEntry t = thread(s, l.thread().tid());
                if (t == null) continue;
                evidence.add("\"" + t.name() + "\" waits for " + l.lock() + " held by \"" + l.owner().name() + "\""
                        + (t.monitorsOwned().isEmpty() && t.synchronizersOwned().isEmpty() ? "" : "; holds " + held(t)));
                int last = t.waitFrame() >= 0 ? t.waitFrame() : Math.min(t.stack().size() - 1, 4);
                for (int i = 0; i <= last && i < t.stack().size(); i++) {
                    evidence.add("    at " + t.stack().get(i) + (i == t.waitFrame() ? "   <- stuck here" : ""));
                }
            }
            out.add(new Finding(Kind.DEADLOCK, Severity.CRITICAL, d.cycle().size() + " threads deadlocked", first == null ? -1 : s.blameSite(first),
                    d.cycle().size(), since, evidence, first == null ? null : waitFrame(first)));
        }
    }

    /**
     * A site whose owners ({@link History#sharedOwner}: its threads, but a pool's workers, or a numbered group's threads, as
     * one) rise: fast across the window ({@link Rising#rising}), or slowly over its whole history ({@link Climb#leaking}:
     * however slow, once it has gained a few in steady new highs). A pool filling up grows no owner.
     */
    private static void siteGrowth(Snapshot s, History history, List<Tick> window, Tick now, List<Finding> out) {
        for (Map.Entry<Integer, Integer> site : now.siteOwners().entrySet()) {
            int id = site.getKey(), owners = site.getValue(), live = now.siteAlive().get(id);
            List<Integer> series = seriesOf(window, Tick::siteOwners, site);
            // (a collected java.util.Timer ends its thread, so a leaking site may dip now and then)
            boolean fast = Rising.rising(series, MIN_SITE_GROWTH);
            Climb climb = history.climbWith(id, now);
            if (!fast && !climb.leaking(s.takenAtMs())) continue;
            long started = s.site(id).started();
            boolean executorSite = s.executors().stream().anyMatch(e -> e.site() == id);
            // read from a jstack-like dump, a site is a current stack: threads are seen in it, not started at it
            boolean stackSite = !s.site(id).creation();
            String alive = executorSite ? live + " live workers of the " + started + " executors built here since the agent loaded"
                    : stackSite ? live + " threads in this stack now, of the " + started + " seen in it in the dumps read"
                    : live + " of the " + started + " threads started here since " + (s.fromJdkInput() ? "the recording began" : "the agent loaded")
                            + " are alive" + ended(s, id, started == live);
            // each thread its own owner (the common leak) says threads; else the owners are what grew
            String unit = owners == live ? " threads" : " owners";
            String title = live + (stackSite ? " live threads in one stack" : " live threads from one creation site") + (owners == live ? "" : ", in " + owners + " owners") + ", +";
            List<String> evidence = new ArrayList<>();
            long sinceMs, spanMs;
            int gained;
            if (fast) {
                gained = series.get(series.size() - 1) - series.get(0);
                sinceMs = window.get(0).timeMs();
                spanMs = s.takenAtMs() - sinceMs;
                title += gained + (owners == live ? "" : unit) + " in " + Durations.human(spanMs) + ", now at its highest";
                evidence.add("live" + unit + " of this site over " + series.size() + " samples: " + series(series));
            } else {
                gained = climb.gain();
                sinceMs = climb.startMs();
                spanMs = s.takenAtMs() - sinceMs;
                title += gained + (owners == live ? "" : unit) + " in " + Durations.human(spanMs) + ", still reaching new highs";
                evidence.add("live" + unit + " of this site: " + climbPoints(climb, s.takenAtMs()));
            }
            evidence.add(alive);
            if (owners != live) evidence.add(OWNERS);
            // where they wait now: threads per connection or per request pile up at one line
            List<ThreadEntry> waiting = s.threads().stream().filter(t -> !t.agentThread() && t.waitingNotIdle() && s.blameSite(t) == id).toList();
            stuckAt(waiting).stream().limit(3).forEach(evidence::add);
            evidence.add("rate: +" + (gained * 3_600_000L >= 60L * spanMs ? perMinute(gained, spanMs) + unit + "/min" : perHour(gained, spanMs) + unit + "/hour"));
            out.add(new Finding(Kind.SITE_GROWTH, Severity.HIGH, title, id, live, sinceMs, List.copyOf(evidence)));
        }
    }

    /** How owners are counted, said where they are not simply the threads. */
    private static final String OWNERS = "owners: each executor (a stuck task's worker of an unbounded pool on its own), each group of"
            + " threads named with one pool number (nioEventLoopGroup-3-*), each other thread; a pool filling up is one owner";

    /** When the site's last thread ended: a leak's never do (unknown where a dump leaves the optional lastEndedAtMs out). */
    private static String ended(Snapshot s, int site, boolean noneEnded) {
        long at = s.site(site).lastEndedAtMs();
        if (noneEnded) return ": none has ended";
        return at > 0 ? "; the last one ended " + Durations.human(Math.max(0, s.takenAtMs() - at)) + " ago" : "";
    }

    /** {@code 1 (2h ago), 3 (1h20m ago), …, 14 (now)}: the climb's kept points. */
    private static String climbPoints(Climb c, long nowMs) {
        long[] at = c.pointMs();
        int[] live = c.points();
        List<String> points = new ArrayList<>();
        for (int i = 0; i < live.length; i++) {
            points.add(live[i] + (at[i] >= nowMs ? " (now)" : " (" + Durations.human(nowMs - at[i]) + " ago)"));
        }
        if (at.length == 0 || at[at.length - 1] < nowMs) points.add(c.live() + " (now)");
        return series(points);
    }

    /**
     * Live threads above the baseline, rising, and made of more owners than the window began with (not pools filling).
     * Judged once the baseline's sample is a whole window old ({@link History#spansAWindowAt}): the baseline is taken a
     * second after the agent loads, and an application still starting then (its pools, its clients) grows past it with
     * new owners, healthy; a window later "rising across the window" means what it says.
     */
    private static void growth(Snapshot s, List<Tick> window, Tick now, Thresholds th, List<Finding> out) {
        int live = s.summary().live(), baseline = s.summary().baseline();
        if (window.isEmpty() || live - baseline < th.growth() || live <= window.get(0).live() || now.owners() <= window.get(0).owners()) return;
        Tick first = window.get(0);
        long spanMs = s.takenAtMs() - first.timeMs();
        out.add(new Finding(Kind.GROWTH, Severity.HIGH,
                live + " live threads, " + (live - baseline) + " above the baseline of " + baseline + ", and rising",
                -1, live - baseline, first.timeMs(), List.of(
                        "live threads: baseline " + baseline + ", " + Durations.human(spanMs) + " ago " + first.live() + ", now " + live,
                        "rate: +" + perMinute(live - first.live(), spanMs) + " threads/min (threshold: " + th.growth() + " above baseline)")));
    }

    /** Long-blocked threads by site and wait; those running a stuck task are STUCK_TASK's (it says more). */
    private static void longBlocked(Snapshot s, Set<Long> stuckTasks, List<Finding> out) {
        Map<SiteAndWait, List<ThreadEntry>> groups = new LinkedHashMap<>();
        for (ThreadEntry t : s.longBlocked()) {
            if (!stuckTasks.contains(t.tid())) groups.computeIfAbsent(new SiteAndWait(s.blameSite(t), t.waitReason()), k -> new ArrayList<>()).add(t);
        }
        for (List<ThreadEntry> group : groups.values()) {
            group.sort(Comparator.comparingLong(ThreadEntry::waitingForMs).reversed());
            ThreadEntry longest = group.get(0);
            List<String> evidence = new ArrayList<>();
            for (ThreadEntry t : group.subList(0, Math.min(5, group.size()))) {
                evidence.add("\"" + t.name() + "\" #" + t.tid() + " " + t.waitReason() + " for " + Durations.human(t.waitingForMs()));
            }
            if (group.size() > 5) evidence.add("... and " + (group.size() - 5) + " more");
            evidence.addAll(stuckAt(group));
            out.add(new Finding(Kind.LONG_BLOCKED, Severity.MEDIUM,
                    group.size() + " thread" + (group.size() == 1 ? "" : "s") + " blocked for at least "
                            + Durations.human(s.blockedThresholdMs()) + ": " + longest.waitReason(),
                    s.blameSite(longest), group.size(), s.takenAtMs() - longest.waitingForMs(), evidence, waitFrame(longest)));
        }
    }

    /** A site and a wait, as a key: equality written out (a record's is bootstrapped at its first use, see ARCHITECTURE.md). */
    private static final class SiteAndWait {
        private final int site;
        private final String wait;

        SiteAndWait(int site, String wait) {
            this.site = site;
            this.wait = wait;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SiteAndWait other && other.site == site && java.util.Objects.equals(other.wait, wait);
        }

        @Override
        public int hashCode() {
            return 31 * site + (wait == null ? 0 : wait.hashCode());
        }
    }

    /** Pools named alike from one site (the executor's construction site, for pool workers) whose pool number keeps growing. */
    private static void recreatedPools(Snapshot s, List<Tick> window, Tick now, List<Finding> out) {
        if (window.isEmpty()) return;
        Map<String, List<ThreadEntry>> byFamily = new LinkedHashMap<>();
        ThreadEntry last = null; // a thread of the same family as the one before (threads of a pool come together) joins its list
        List<ThreadEntry> lastFamily = null;
        for (ThreadEntry t : s.threads()) {
            int site = s.blameSite(t);
            if (t.agentThread() || site < 0 || NamePattern.firstNumber(t.name()) < 0) continue;
            if (last == null || site != s.blameSite(last) || !NamePattern.sameShape(last.name(), t.name())) {
                lastFamily = byFamily.computeIfAbsent(History.poolFamily(NamePattern.shape(t.name()), site), k -> new ArrayList<>());
            }
            lastFamily.add(t);
            last = t;
        }
        for (Map.Entry<String, List<ThreadEntry>> e : byFamily.entrySet()) {
            // a pool number must name an owner: for pool workers, as many executors (one cached pool numbers its workers:
            // "grpc-default-executor-9"); for other threads, a name that says pool, timer, group, ... (never a
            // connection's or a request's number: "RMI TCP Connection(7)-127.0.0.1", "after-3-1")
            String shape = NamePattern.shape(e.getValue().get(0).name());
            long executors = e.getValue().stream().mapToInt(ThreadEntry::executor).filter(id -> id >= 0).distinct().count();
            boolean workers = e.getValue().stream().anyMatch(t -> t.executor() >= 0);
            if (workers ? executors < MIN_POOLS : !POOL_WORDS.matcher(shape).matches()) continue;
            TreeSet<Long> ordinals = new TreeSet<>();
            for (ThreadEntry t : e.getValue()) ordinals.add(NamePattern.firstNumber(t.name()));
            long before = window.get(0).poolMaxOrdinal().getOrDefault(e.getKey(), -1L);
            long max = now.poolMaxOrdinal().get(e.getKey());
            if (ordinals.size() < MIN_POOLS || max <= before) continue;
            String pattern = String.join(", ", NamePattern.of(e.getValue().stream().map(ThreadEntry::name).toList()));
            out.add(new Finding(Kind.RECREATED_POOLS, Severity.MEDIUM,
                    ordinals.size() + " pools of threads named " + pattern + " alive from one site, pool number still growing",
                    s.blameSite(e.getValue().get(0)), e.getValue().size(),
                    e.getValue().stream().mapToLong(ThreadEntry::startedAtMs).min().orElse(s.takenAtMs()), List.of(
                            "pool numbers alive: " + series(new ArrayList<>(ordinals)),
                            "highest pool number " + (before < 0 ? "none" : before) + " " + Durations.human(s.takenAtMs() - window.get(0).timeMs())
                                    + " ago, " + max + " now: something keeps creating executors and not shutting them down")));
        }
    }

    /**
     * Many threads blocked in one identical stack, each in that same wait since an earlier sample and for at least a
     * quarter of {@code blocked}: a pool at work (twenty requests each sleeping 150 ms in the same code, or reading the
     * same slow backend's answers) is caught in one stack too, but not for that long.
     */
    private static void duplicateStacks(Snapshot s, Thresholds th, List<Finding> out) {
        long minWaitMs = Math.max(1, s.blockedThresholdMs() / 4);
        // by the stack list's identity first: threads in equal waits share one list (the sampler interns them), so a
        // stack is hashed once per distinct list, not once per thread; then equal lists are joined
        IdentityHashMap<List<Frame>, List<ThreadEntry>> byList = new IdentityHashMap<>();
        Map<List<Frame>, List<ThreadEntry>> byStack = new LinkedHashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (!t.agentThread() && t.waitingNotIdle() && t.waitingForMs() >= minWaitMs && !t.stack().isEmpty()) {
                List<ThreadEntry> group = byList.get(t.stack());
                if (group == null) {
                    group = byStack.computeIfAbsent(t.stack(), k -> new ArrayList<>());
                    byList.put(t.stack(), group);
                }
                group.add(t);
            }
        }
        for (Map.Entry<List<Frame>, List<ThreadEntry>> e : byStack.entrySet()) {
            List<ThreadEntry> group = e.getValue();
            if (group.size() < th.duplicates()) continue;
            List<Integer> sites = group.stream().map(s::blameSite).distinct().toList();
            List<String> evidence = new ArrayList<>(List.of(
                    "stack top: " + e.getKey().stream().limit(3).map(Frame::toString).collect(Collectors.joining(" <- ")),
                    "names: " + String.join(", ", NamePattern.of(group.stream().map(ThreadEntry::name).toList())),
                    "threshold: " + th.duplicates() + " threads"));
            evidence.addAll(stuckAt(group.subList(0, 1)));
            out.add(new Finding(Kind.DUPLICATE_STACKS, Severity.LOW,
                    group.size() + " threads blocked with one identical stack: " + group.get(0).waitReason(),
                    sites.size() == 1 ? sites.get(0) : -1, group.size(),
                    s.takenAtMs() - group.stream().mapToLong(ThreadEntry::waitingForMs).max().orElse(0), evidence, waitFrame(group.get(0))));
        }
    }

    /**
     * Executors from one construction site that keep being built and are never shut down: the per-request or
     * per-client pool. Same trend rule as SITE_GROWTH, on the count of running (not shut down) executors.
     */
    private static void unclosedExecutors(Snapshot s, List<Tick> window, Tick now, List<Finding> out) {
        for (Map.Entry<Integer, Integer> site : now.runningExecutors().entrySet()) {
            List<Integer> series = seriesOf(window, Tick::runningExecutors, site);
            if (!Rising.rising(series, MIN_SITE_GROWTH)) continue;
            int gained = series.get(series.size() - 1) - series.get(0);
            List<ExecutorInfo> here = s.executors().stream().filter(e -> e.site() == site.getKey()).toList();
            long shutDown = here.stream().filter(e -> !e.running()).count();
            int workers = here.stream().mapToInt(ExecutorInfo::poolSize).sum(), busy = here.stream().mapToInt(ExecutorInfo::active).sum();
            String kind = here.get(0).kind().substring(here.get(0).kind().lastIndexOf('.') + 1);
            long spanMs = s.takenAtMs() - window.get(0).timeMs();
            out.add(new Finding(Kind.UNCLOSED_EXECUTORS, Severity.HIGH,
                    site.getValue() + " " + kind + "s from one site alive, " + (shutDown == 0 ? "none" : shutDown + " of " + here.size())
                            + " shut down, +" + gained + " in " + Durations.human(spanMs),
                    site.getKey(), workers, window.get(0).timeMs(), List.of(
                            here.size() + " live, " + s.site(site.getKey()).started() + " built here since the agent loaded, " + shutDown
                                    + " shut down; " + workers + " workers, " + (busy == 0 ? "all idle" : busy + " busy"),
                            "running executors of this site over " + series.size() + " samples: " + series(series),
                            "an executor that is never shut down keeps its workers (and everything their tasks hold) forever")));
        }
    }

    /** Tasks running for {@code blocked} or longer, grouped by executor, submission site and wait. Returns their threads. */
    private static Set<Long> stuckTasks(Snapshot s, List<Finding> out) {
        Map<String, List<ThreadEntry>> groups = new LinkedHashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread() || !s.runsStuckTask(t)) continue;
            groups.computeIfAbsent(t.executor() + "\u0000" + t.task().submittedSite() + "\u0000" + t.waitReason(), k -> new ArrayList<>()).add(t);
        }
        Set<Long> tids = new java.util.HashSet<>();
        for (List<ThreadEntry> group : groups.values()) {
            group.sort(Comparator.comparingLong((ThreadEntry t) -> t.task().startedAtMs()));
            ThreadEntry longest = group.get(0);
            ExecutorInfo executor = s.executor(longest.executor());
            int submitted = longest.task().submittedSite();
            SiteInfo submittedAt = s.site(submitted);
            List<String> evidence = new ArrayList<>();
            evidence.add(submittedAt != null && submittedAt.blameFrame() != null ? "submitted @ " + submittedAt.blameFrame()
                    : "submission not captured (submissions are sampled: the agent's submissions option)");
            evidence.addAll(stuckAt(group));
            for (ThreadEntry t : group.subList(0, Math.min(5, group.size()))) {
                evidence.add("\"" + t.name() + "\" #" + t.tid() + " running its task for " + Durations.human(t.task().runningForMs(s.takenAtMs()))
                        + (t.task().queuedAtMs() >= 0 ? ", queued " + Durations.human(Math.max(0, t.task().startedAtMs() - t.task().queuedAtMs())) + " before" : ""));
            }
            if (group.size() > 5) evidence.add("... and " + (group.size() - 5) + " more");
            String pool = executor == null ? "an executor" : "pool " + executor.describe();
            out.add(new Finding(Kind.STUCK_TASK, Severity.MEDIUM,
                    group.size() + " task" + (group.size() == 1 ? "" : "s") + " running for " + Durations.human(longest.task().runningForMs(s.takenAtMs()))
                            + (group.size() == 1 ? "" : " or more") + " in " + pool + (longest.waitReason() == null ? "" : ": " + longest.waitReason()),
                    submittedAt != null ? submitted : s.blameSite(longest), group.size(), longest.task().startedAtMs(), evidence,
                    waitFrame(longest)));
            for (ThreadEntry t : group) tids.add(t.tid());
        }
        return tids;
    }

    /** An executor whose oldest queued task has waited {@code blocked} or longer while every worker is busy. */
    private static void queueStalls(Snapshot s, List<Finding> out) {
        long threshold = s.blockedThresholdMs();
        for (ExecutorInfo e : s.executors()) {
            if (threshold <= 0 || e.oldestQueuedMs() < threshold || e.poolSize() == 0 || e.active() < e.poolSize()) continue;
            List<ThreadEntry> workers = s.threads().stream().filter(t -> t.executor() == e.id()).toList();
            List<String> evidence = new ArrayList<>();
            String age = Durations.human(e.oldestQueuedMs());
            boolean fifo = ExecutorInfo.fifo(e.kind()); // else the age is a lower bound: queued, and none begun since
            evidence.add(e.queued() + " queued, " + (fifo ? "the oldest for " : "none begun for ") + age + "; all " + e.poolSize()
                    + " workers busy; " + e.submitted() + " submitted since the agent loaded"
                    + (e.completed() < 0 ? "" : ", " + e.completed() + " completed"));
            evidence.addAll(stuckAt(workers));
            out.add(new Finding(Kind.QUEUE_STALL, Severity.MEDIUM,
                    e.queued() + " task" + (e.queued() == 1 ? "" : "s") + (fifo ? " queued for up to " + age : " queued, none begun for " + age)
                            + " in pool " + e.describe() + ", every worker busy",
                    e.site(), e.poolSize(), s.takenAtMs() - e.oldestQueuedMs(), evidence, workers.isEmpty() ? null : waitFrame(workers.get(0))));
        }
    }

    /** {@code stuck @ Ingest.fetch(Ingest.java:131): socket read}, once per distinct wait frame and reason. */
    private static List<String> stuckAt(List<ThreadEntry> threads) {
        // counted by frame and reason, each line written once: thousands of threads often wait at one line
        Map<Frame, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (ThreadEntry t : threads) {
            Frame f = t.waitFrameOrNull();
            if (f != null) counts.computeIfAbsent(f, k -> new LinkedHashMap<>()).merge(t.waitReason(), 1, Integer::sum);
        }
        List<String> out = new ArrayList<>();
        counts.forEach((frame, reasons) -> reasons.forEach((reason, n) -> out.add("stuck @ " + frame + (reason == null ? "" : ": " + reason)
                + (threads.size() > 1 ? " (" + n + " thread" + (n == 1 ? "" : "s") + ")" : ""))));
        return out;
    }

    /** One site's count across the window's ticks, then now. */
    private static List<Integer> seriesOf(List<Tick> window, Function<Tick, Map<Integer, Integer>> counts,
                                          Map.Entry<Integer, Integer> now) {
        List<Integer> series = new ArrayList<>();
        for (Tick t : window) series.add(counts.apply(t).getOrDefault(now.getKey(), 0));
        series.add(now.getValue());
        return series;
    }

    private static String waitFrame(ThreadEntry t) {
        Frame f = t.waitFrameOrNull();
        return f == null ? null : f.toString();
    }

    private static String held(ThreadEntry t) {
        List<String> locks = new ArrayList<>();
        for (ThreadEntry.OwnedMonitor m : t.monitorsOwned()) locks.add(m.lock());
        locks.addAll(t.synchronizersOwned());
        return String.join(", ", locks);
    }

    private static ThreadEntry thread(Snapshot s, long tid) {
        for (ThreadEntry t : s.threads()) {
            if (t.tid() == tid) return t;
        }
        return null;
    }

    private static long waitingFor(Snapshot s, long tid) {
        ThreadEntry t = thread(s, tid);
        return t == null ? 0 : t.waitingForMs();
    }

    /** {@code 3, 8, 13, …, 31}: the first three and the last of a long series. */
    static String series(List<?> values) {
        if (values.size() <= 6) return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return values.subList(0, 3).stream().map(String::valueOf).collect(Collectors.joining(", ")) + ", …, " + values.get(values.size() - 1);
    }

    static String perMinute(long count, long spanMs) {
        return per(count, spanMs, 60_000);
    }

    static String perHour(long count, long spanMs) {
        return per(count, spanMs, 3_600_000);
    }

    private static String per(long count, long spanMs, long unitMs) {
        // Locale.ROOT: a number people and scripts read is "607.0" under every default locale, never "607,0"
        return String.format(java.util.Locale.ROOT, "%.1f", spanMs <= 0 ? 0.0 : count * (double) unitMs / spanMs);
    }
}
