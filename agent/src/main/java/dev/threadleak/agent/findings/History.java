package dev.threadleak.agent.findings;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the findings remember of earlier snapshots: a few numbers each for the last {@code window}, and for each
 * site with live threads its {@link Climb} over the whole history (bounded: a dozen points a site).
 */
public final class History {
    /** One snapshot, reduced to what growth findings compare: made once ({@link #tick}), judged, then remembered. */
    public record Tick(long timeMs, int live, Map<Integer, Integer> siteAlive, Map<String, Long> poolMaxOrdinal,
                Map<Integer, Integer> runningExecutors) {}

    private final long windowMs;
    private final Deque<Tick> ticks = new ArrayDeque<>();
    private final Map<Integer, Climb> climbs = new HashMap<>();

    public History(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Remembers a snapshot's tick, forgets what fell out of the window, and follows each site's climb. */
    public synchronized void add(Tick tick) {
        ticks.addLast(tick);
        while (ticks.size() > 1 && ticks.peekFirst().timeMs() < tick.timeMs() - windowMs) ticks.removeFirst();
        climbs.keySet().retainAll(tick.siteAlive().keySet()); // a site with no live thread climbs again from where it reappears
        tick.siteAlive().forEach((site, live) -> climbs.computeIfAbsent(site, k -> new Climb())
                .add(tick.timeMs(), live, tick.runningExecutors().getOrDefault(site, 0)));
    }

    /** The site's climb with the sample {@code now} added, not kept: findings judge a snapshot before it joins the history. */
    synchronized Climb climbWith(int site, Tick now) {
        Climb kept = climbs.get(site);
        Climb c = kept == null ? new Climb() : kept.copy();
        c.add(now.timeMs(), now.siteAlive().getOrDefault(site, 0), now.runningExecutors().getOrDefault(site, 0));
        return c;
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
    static String poolFamily(ThreadEntry t, int site) {
        return NamePattern.shape(t.name()) + '\u0000' + site;
    }

    public static Tick tick(Snapshot s) {
        Map<Integer, Integer> siteAlive = new HashMap<>();
        Map<String, Long> poolMax = new HashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            int site = s.blameSite(t);
            if (site >= 0) siteAlive.merge(site, 1, Integer::sum);
            long ordinal = NamePattern.firstNumber(t.name());
            if (ordinal >= 0) poolMax.merge(poolFamily(t, site), ordinal, Math::max);
        }
        Map<Integer, Integer> runningExecutors = new HashMap<>();
        for (ExecutorInfo e : s.executors()) {
            if (e.site() >= 0 && e.running()) runningExecutors.merge(e.site(), 1, Integer::sum);
        }
        return new Tick(s.takenAtMs(), s.summary().live(), siteAlive, poolMax, runningExecutors);
    }
}
