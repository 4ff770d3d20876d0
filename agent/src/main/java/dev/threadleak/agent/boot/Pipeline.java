package dev.threadleak.agent.boot;

import dev.threadleak.agent.expose.HtmlReport;
import dev.threadleak.agent.expose.JfrEvents;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.sample.Sampler.Depth;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * From threads to verdicts, in one place: the {@link Sampler} reads the threads; this adds the baseline, judges
 * the reading against the {@link History} ({@link Findings#compute}) and hands the snapshot to the views (dumps,
 * JMX). Only the agent's schedule ({@link #scheduled}) adds to the history, so the findings of a sample never
 * depend on how often a view asked for one: a JMX client polling in a tight loop sees fresh snapshots judged
 * against the same history as the dumps, and changes nothing those judge.
 */
final class Pipeline {
    /** The live page's points kept: an hour of samples at the default interval. */
    static final int RECENT_POINTS = 720;
    private final Sampler sampler;
    private final History history;
    private final Findings.Thresholds thresholds;
    /** How old the last snapshot may be for a view to be served it instead of a new read. */
    private final long freshMs;
    private final SampleBudget budget;
    private int baseline = -1;
    /**
     * The last snapshot, written under the lock; read without it by views that must not wait for a sample in progress
     * ({@link #last}). Held weakly: the next sample needs none of it (the history, the wait tracks and the registry are
     * what it reads), so a JVM whose views nobody reads keeps no entry per thread between samples, about 110 bytes a live
     * thread (RESULTS.md, V); a JMX read that finds it collected takes a sample. Held strongly too ({@link #pinned}) once
     * the HTTP endpoint starts ({@link #keepLast}), whose pages are rendered from it without waiting.
     */
    private volatile WeakReference<Snapshot> last = new WeakReference<>(null);
    /** The last snapshot, held strongly while the HTTP endpoint serves ({@link #keepLast}); else null. */
    private volatile Snapshot pinned;
    private volatile boolean pin;
    private volatile long samples, sampleNanos;
    /** The last proof's findings ({@code prove()} over JMX), judged again with every sample while their threads live. */
    private volatile List<Finding> proven = List.of();
    /** The live page's chart (while the HTTP endpoint serves): a point per scheduled sample, the last {@link #RECENT_POINTS}; its own lock. */
    private final ArrayDeque<HtmlReport.Point> recent = new ArrayDeque<>();
    /** The HTTP endpoint's address once it serves ({@code host:port}), else empty. */
    private volatile String serving = "";

    Pipeline(Sampler sampler, History history, Findings.Thresholds thresholds, long freshMs, long sampleNanos) {
        this.sampler = sampler;
        this.budget = new SampleBudget(sampleNanos);
        this.history = history;
        this.thresholds = thresholds;
        this.freshMs = freshMs;
    }

    /** A sample of the agent's schedule (periodic samples and dumps): judged, then remembered in the history. */
    synchronized Snapshot scheduled(Depth depth) {
        long began = System.nanoTime();
        Judged j = judge(depth);
        history.add(j.tick(), j.snapshot().findings());
        if (pin) {
            synchronized (recent) {
                if (recent.size() == RECENT_POINTS) recent.removeFirst();
                recent.addLast(HtmlReport.Point.of(j.tick().timeMs(), j.tick().live(), j.tick().siteAlive()));
            }
        }
        JfrEvents.afterSample(j.snapshot()); // into a JFR recording, when one runs
        return counted(j.snapshot(), began);
    }

    /**
     * A periodic sample of the agent's schedule; returns how long to wait before the next one: the {@code sample} option,
     * or longer when samples would take more than their budget of a core ({@link SampleBudget}).
     */
    long periodic() {
        long cpu = SampleBudget.cpuNanos();
        Snapshot s = scheduled(Depth.PERIODIC);
        return afterPeriodic(SampleBudget.cpuNanos() - cpu, s.summary().live());
    }

    private synchronized long afterPeriodic(long costNanos, long threads) {
        return budget.afterSample(costNanos, threads);
    }

    /** The interval between periodic samples now in effect, in ns: after a dump (a sample too), the next one waits this long. */
    synchronized long sampleEveryNanos() {
        return budget.everyNanos();
    }

    /** A sample a view asked for (an on-demand or exit dump): judged against the history, never added to it. */
    synchronized Snapshot onDemand(Depth depth) {
        long began = System.nanoTime();
        return counted(judge(depth).snapshot(), began);
    }

    /** For views that read often (JMX): the last snapshot while it is fresh, else an {@link #onDemand} sample. */
    synchronized Snapshot latest() {
        Snapshot s = last.get();
        return s != null && System.currentTimeMillis() - s.takenAtMs() <= freshMs ? s : onDemand(Depth.PERIODIC);
    }

    /**
     * The last snapshot taken, without taking one and without waiting for one in progress; null before the first, and
     * (unless the HTTP endpoint serves) once collected.
     */
    Snapshot last() {
        Snapshot s = pinned;
        return s != null ? s : last.get();
    }

    /**
     * Keeps the last snapshot strongly from now on, for the HTTP endpoint about to start; if the collector took it already,
     * takes one, so the endpoint never answers "no sample yet" once the first sample was taken.
     */
    synchronized void keepLast() {
        pin = true;
        Snapshot s = last.get();
        pinned = s != null ? s : onDemand(Depth.PERIODIC);
    }

    /** Undoes {@link #keepLast} when the endpoint did not start: the last snapshot is the collector's again, no point is kept. */
    synchronized void stopKeeping() {
        pin = false;
        pinned = null;
        synchronized (recent) {
            recent.clear();
        }
    }

    /** Names the address the HTTP endpoint serves on, for every snapshot from now on. */
    void serving(String address) {
        serving = address;
    }

    /** The live page's points, oldest first; without waiting for a sample in progress. */
    List<HtmlReport.Point> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    /** Samples taken (scheduled and on demand), and the time they took: the agent's own cost. */
    long samples() {
        return samples;
    }

    long sampleNanos() {
        return sampleNanos;
    }

    /** Makes a new sample's live count the baseline that GROWTH and {@code delta} compare against; returns it. */
    synchronized Snapshot resetBaseline() {
        baseline = -1;
        return onDemand(Depth.PERIODIC);
    }

    /** A snapshot with its findings, and the tick of it that the history keeps if it is a {@link #scheduled} one. */
    private record Judged(Snapshot snapshot, History.Tick tick) {}

    /** Reads the threads and judges them against the history, leaving the history as it was. */
    private Judged judge(Depth depth) {
        Snapshot read = sampler.read(depth);
        if (baseline < 0) baseline = read.summary().live();
        Snapshot s = read.toBuilder().summary(read.summary().withBaseline(baseline)).sampling(budget.sampling()).http(serving).build();
        History.Tick tick = History.tick(s);
        List<Finding> findings = Findings.compute(s, tick, history, thresholds);
        if (!proven.isEmpty()) findings = withProven(s, findings, tick);
        return new Judged(s.withFindings(findings), tick);
    }

    /** Keeps the proof's findings for a sample's findings, most severe first. */
    void proven(List<Finding> findings) {
        proven = List.copyOf(findings);
    }

    /**
     * {@code findings} and, first, each proven finding whose site still has a live thread (a proof holds while the threads
     * it names live: they never wake, or never end), raised for as many samples in a row as the history says.
     */
    private List<Finding> withProven(Snapshot s, List<Finding> findings, History.Tick tick) {
        Set<Integer> liveSites = new HashSet<>();
        for (ThreadEntry t : s.threads()) liveSites.add(s.blameSite(t));
        List<Finding> out = new ArrayList<>();
        for (Finding f : proven) {
            if (f.site() >= 0 && liveSites.contains(f.site())) out.add(history.raised(f, tick.timeMs()));
        }
        out.addAll(findings);
        return out;
    }

    /** Makes {@code s} the last snapshot and counts the sample begun at {@code began} (nanoTime). */
    @SuppressWarnings("NonAtomicVolatileUpdate") // written under this object's lock only; volatile for readers without it
    private Snapshot counted(Snapshot s, long began) {
        last = new WeakReference<>(s);
        if (pin) pinned = s;
        samples++;
        sampleNanos += System.nanoTime() - began;
        return s;
    }
}
