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

/** What the findings remember of earlier snapshots: a few numbers each, for the last {@code window}. */
public final class History {
    /** One snapshot, reduced to what growth findings compare: made once ({@link #tick}), judged, then remembered. */
    public record Tick(long timeMs, int live, Map<Integer, Integer> siteAlive, Map<String, Long> poolMaxOrdinal,
                Map<Integer, Integer> runningExecutors) {}

    private final long windowMs;
    private final Deque<Tick> ticks = new ArrayDeque<>();

    public History(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Remembers a snapshot's tick and forgets what fell out of the window. */
    public synchronized void add(Tick tick) {
        ticks.addLast(tick);
        while (ticks.size() > 1 && ticks.peekFirst().timeMs() < tick.timeMs() - windowMs) ticks.removeFirst();
    }

    /** Ticks within the window before {@code nowMs}, oldest first. */
    synchronized List<Tick> window(long nowMs) {
        List<Tick> out = new ArrayList<>();
        for (Tick t : ticks) {
            if (t.timeMs() >= nowMs - windowMs && t.timeMs() < nowMs) out.add(t);
        }
        return out;
    }

    public static Tick tick(Snapshot s) {
        Map<Integer, Integer> siteAlive = new HashMap<>();
        Map<String, Long> poolMax = new HashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agent()) continue;
            int site = s.blameSite(t);
            if (site >= 0) siteAlive.merge(site, 1, Integer::sum);
            long ordinal = NamePattern.firstNumber(t.name());
            if (ordinal >= 0) poolMax.merge(NamePattern.shape(t.name()), ordinal, Math::max);
        }
        Map<Integer, Integer> runningExecutors = new HashMap<>();
        for (ExecutorInfo e : s.executors()) {
            if (e.site() >= 0 && e.running()) runningExecutors.merge(e.site(), 1, Integer::sum);
        }
        return new Tick(s.takenAtMs(), s.summary().live(), siteAlive, poolMax, runningExecutors);
    }
}
