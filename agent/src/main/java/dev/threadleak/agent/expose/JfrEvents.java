package dev.threadleak.agent.expose;

import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

/**
 * The agent's verdicts in a JFR recording, beside the JVM's own events, for JDK Mission Control's timeline and
 * {@code jfr print --events dev.threadleak.Finding}: a {@link FindingEvent} when a scheduled sample first raises a finding,
 * and a {@link SampleEvent} for every scheduled sample. A JVM that records nothing pays nothing: until Flight Recorder has
 * started (by {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or its API) no event class is loaded, and an event
 * a recording does not enable is never built.
 */
public final class JfrEvents {
    private static final boolean RUNTIME_HAS_JFR = !RuntimeModules.absent("jdk.jfr");
    /** Set when writing an event failed (a runtime whose JFR cannot take it): the recording goes on without the agent's events. */
    private static volatile boolean failed;

    private JfrEvents() {}

    @Name("dev.threadleak.Finding")
    @Label("Thread Leak Finding")
    @Category({"threadleak"})
    @Description("A finding the threadleak agent raised: a leaking creation site, a long-blocked thread, a deadlock, ...")
    @StackTrace(false)
    static final class FindingEvent extends Event {
        @Label("Kind") String kind;
        @Label("Severity") String severity;
        @Label("Title") String title;
        @Label("Blame") @Description("The line to blame: the application frame that started the threads (or built their executor)")
        String blame;
        @Label("Threads") int threads;
        @Label("Since") @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH) long since;
        @Label("Evidence") @Description("The finding's evidence, a line each") String evidence;
        @Label("Wait Frame") @Description("Where its threads wait, when they do") String waitFrame;
    }

    @Name("dev.threadleak.Sample")
    @Label("Thread Leak Sample")
    @Category({"threadleak"})
    @Description("A scheduled sample of the threadleak agent: live threads, the baseline, and the creation sites with the most live threads")
    @StackTrace(false)
    static final class SampleEvent extends Event {
        @Label("Live Threads") int live;
        @Label("Baseline") int baseline;
        @Label("Delta") int delta;
        @Label("Long-Blocked Threads") int longBlocked;
        @Label("Findings") int findings;
        @Label("Top Sites") @Description("Live threads per creation site, largest first: 'count blame frame', a line each") String topSites;
    }

    /**
     * After a scheduled sample: its findings first raised now, and the sample, into any recording that enables them. Never
     * throws: the events are a view, and a view never stops the agent.
     */
    public static void afterSample(Snapshot s) {
        if (!RUNTIME_HAS_JFR || failed) return;
        try {
            if (FlightRecorder.isInitialized()) record(s);
        } catch (Throwable t) {
            failed = true;
        }
    }

    private static void record(Snapshot s) {
        for (Finding f : s.findings()) {
            if (f.raisedSamples() != 1) continue; // raised by an earlier sample: already recorded
            FindingEvent e = new FindingEvent();
            if (!e.isEnabled()) break;
            e.kind = f.kind().name();
            e.severity = f.severity().name();
            e.title = f.title();
            SiteInfo site = s.site(f.site());
            e.blame = site == null || site.blameFrame() == null ? null : site.blameFrame().toString();
            e.threads = f.threads();
            e.since = f.sinceMs();
            e.evidence = String.join("\n", f.evidence());
            e.waitFrame = f.waitFrame();
            e.commit();
        }
        SampleEvent e = new SampleEvent();
        if (!e.isEnabled()) return;
        e.live = s.summary().live();
        e.baseline = s.summary().baseline();
        e.delta = s.summary().delta();
        e.longBlocked = s.longBlocked().size();
        e.findings = s.findings().size();
        StringBuilder top = new StringBuilder();
        int listed = 0;
        for (SiteGroup g : SiteGroup.of(s)) {
            if (g.site() == null || g.site().blameFrame() == null) continue;
            if (listed++ == SiteGroup.TOP_SITES) break;
            top.append(top.length() == 0 ? "" : "\n").append(g.threads().size()).append(' ').append(g.site().blameFrame());
        }
        e.topSites = top.toString();
        e.commit();
    }
}
