package dev.threadleak.agent.findings;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the findings remember of earlier snapshots: a few numbers each for the last {@code window}, and for each
 * site with live threads its {@link Climb} over the whole history (bounded: a dozen points a site).
 */
public final class History {
    /**
     * One snapshot, reduced to what growth findings compare: made once ({@link #tick}), judged, then remembered.
     *
     * @param siteAlive  live threads per site (its findings' evidence)
     * @param siteOwners owners of those threads per site ({@link #sharedOwner}): what a leak grows and a pool filling does not
     * @param owners     owners of all live threads, sited or not (GROWTH's judge)
     */
    public record Tick(long timeMs, int live, int owners, Map<Integer, Integer> siteAlive, Map<Integer, Integer> siteOwners,
                Map<String, Long> poolMaxOrdinal, Map<Integer, Integer> runningExecutors) {}

    private final long windowMs;
    private final Deque<Tick> ticks = new ArrayDeque<>();
    /** When the first tick was taken (the baseline's sample); {@link Long#MIN_VALUE} before it. */
    private long firstTickMs = Long.MIN_VALUE;
    private final Map<Integer, Climb> climbs = new HashMap<>();
    /** The findings of the last scheduled sample, by kind and site: how many samples in a row raised each, since when. */
    private Map<String, Finding> raised = Map.of();

    public History(long windowMs) {
        this.windowMs = windowMs;
    }

    /**
     * Remembers a scheduled snapshot: its tick (forgetting what fell out of the window, following each site's climb)
     * and its findings ({@link #raised}).
     */
    public synchronized void add(Tick tick, List<Finding> findings) {
        Map<String, Finding> now = new HashMap<>();
        for (Finding f : findings) now.putIfAbsent(raisedKey(f), f);
        raised = now;
        add(tick);
    }

    /** {@code f}, raised by the sample at {@code timeMs}: one sample more than the last scheduled one that raised it, or its first. */
    public synchronized Finding raised(Finding f, long timeMs) {
        Finding before = raised.get(raisedKey(f));
        return before == null ? f.raised(1, timeMs) : f.raised(before.raisedSamples() + 1, before.raisedSinceMs());
    }

    private static String raisedKey(Finding f) {
        return f.kind() + "\u0000" + f.site();
    }

    /** Remembers a snapshot's tick, forgets what fell out of the window, and follows each site's climb. */
    synchronized void add(Tick tick) {
        if (firstTickMs == Long.MIN_VALUE) firstTickMs = tick.timeMs();
        ticks.addLast(tick);
        while (ticks.size() > 1 && ticks.peekFirst().timeMs() < tick.timeMs() - windowMs) ticks.removeFirst();
        climbs.keySet().retainAll(tick.siteOwners().keySet()); // a site with no live thread climbs again from where it reappears
        tick.siteOwners().forEach((site, owners) -> climbs.computeIfAbsent(site, k -> new Climb())
                .add(tick.timeMs(), owners));
    }

    /** The site's climb with the sample {@code now} added, not kept: findings judge a snapshot before it joins the history. */
    synchronized Climb climbWith(int site, Tick now) {
        Climb kept = climbs.get(site);
        Climb c = kept == null ? new Climb() : kept.copy();
        c.add(now.timeMs(), now.siteOwners().getOrDefault(site, 0));
        return c;
    }

    /** Whether the first tick was taken a whole window or more before {@code nowMs}. */
    synchronized boolean spansAWindowAt(long nowMs) {
        return firstTickMs != Long.MIN_VALUE && nowMs - firstTickMs >= windowMs;
    }

    /** Ticks within the window before {@code nowMs}, oldest first. */
    synchronized List<Tick> window(long nowMs) {
        List<Tick> out = new ArrayList<>();
        for (Tick t : ticks) {
            if (t.timeMs() >= nowMs - windowMs && t.timeMs() < nowMs) out.add(t);
        }
        return out;
    }

    /** Threads named alike (pool number aside) from one site: one site's pools, told apart from same-named others. */
    static String poolFamily(String shape, int site) {
        return shape + '\u0000' + site;
    }

    public static Tick tick(Snapshot s) {
        Map<Integer, ExecutorInfo> executors = new HashMap<>();
        Map<Integer, Integer> runningExecutors = new HashMap<>();
        for (ExecutorInfo e : s.executors()) {
            executors.put(e.id(), e);
            if (e.site() >= 0 && e.running()) runningExecutors.merge(e.site(), 1, Integer::sum);
        }
        // per site: live threads, threads that are their own owners, and the owners they share; nothing is allocated per
        // thread but a shared owner's first entry (a sample of 100,000 threads made 100,000 boxed ids and set entries)
        Map<Integer, SiteTally> sites = new HashMap<>();
        Set<Object> sharedOwners = new HashSet<>();
        int selfOwned = 0;
        Map<String, Long> poolMax = new HashMap<>();
        // threads come in start order, a pool's or a group's together: a name of the previous one's shape reuses its
        // shape and family, built once rather than once a thread; so does a site its tally
        String lastName = null, shape = null, family = null;
        int familySite = 0, tallySite = -1;
        SiteTally tally = null;
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            ExecutorInfo e = executors.get(t.executor());
            int site = e != null && e.site() >= 0 ? e.site() : t.site(); // Snapshot.blameSite, its executor looked up once
            if (lastName == null || !NamePattern.sameShape(lastName, t.name())) {
                shape = NamePattern.shape(t.name());
                family = null;
            }
            lastName = t.name();
            long ordinal = NamePattern.firstNumber(t.name());
            Object owner = sharedOwner(s, t, e, shape, ordinal);
            if (owner == null) selfOwned++;
            else sharedOwners.add(owner);
            if (site >= 0) {
                if (tally == null || tallySite != site) {
                    tally = sites.computeIfAbsent(site, k -> new SiteTally());
                    tallySite = site;
                }
                tally.alive++;
                if (owner == null) tally.selfOwned++;
                else tally.sharedOwners.add(owner);
            }
            if (ordinal >= 0) {
                if (family == null || familySite != site) {
                    family = poolFamily(shape, site);
                    familySite = site;
                }
                poolMax.merge(family, ordinal, Math::max);
            }
        }
        Map<Integer, Integer> siteAlive = new HashMap<>(), ownersBySite = new HashMap<>();
        sites.forEach((site, st) -> {
            siteAlive.put(site, st.alive);
            ownersBySite.put(site, st.selfOwned + st.sharedOwners.size());
        });
        return new Tick(s.takenAtMs(), s.summary().live(), selfOwned + sharedOwners.size(), siteAlive, ownersBySite, poolMax,
                runningExecutors);
    }

    /** One site's threads in a tick: how many are live, how many are their own owners, and the owners the others share. */
    private static final class SiteTally {
        int alive, selfOwned;
        final Set<Object> sharedOwners = new HashSet<>();
    }

    /**
     * Who a thread belongs to, for growth: a leak makes new owners (pools, clients, event-loop groups, schedulers) or
     * threads that never end, where a pool filling under load grows one owner up to its size. The owner is
     * <ul>
     * <li>a pool worker's executor: a bounded pool never passes its bound, and an unbounded one (a cached pool) makes a
     *     worker only when every other is busy, so its workers are load, but for a worker whose task has run for the
     *     {@code blocked} threshold and is not waiting for work (a stuck task: it may never end, so it is its own owner;
     *     an RMI connection's task reading its next call for hours is idle);</li>
     * <li>else a name family with its pool number, for a name with two numbers ({@code nioEventLoopGroup-3-7},
     *     {@code qtp1846-12}, {@code HttpClient-1-Worker-4}): the threads of one group, numbered by its factory;</li>
     * <li>else the thread itself (null here: a thread owns only itself, so such threads are counted, not kept).</li>
     * </ul>
     * {@code shape} and {@code firstNumber}: the thread's name's {@link NamePattern#shape} and first number.
     */
    private static Object sharedOwner(Snapshot s, ThreadEntry t, ExecutorInfo executor, String shape, long firstNumber) {
        if (executor != null) return executor.bounded() || !s.runsStuckTask(t) ? executor : null;
        return shape.indexOf('#') != shape.lastIndexOf('#') ? shape + '\u0000' + firstNumber : null;
    }
}
