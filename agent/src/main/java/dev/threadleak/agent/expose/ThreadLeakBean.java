package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The MXBean: a view of the latest snapshot; every fact comes from the snapshot, none is computed here. */
public final class ThreadLeakBean implements ThreadLeakMXBean {
    /** What the bean needs from the agent: the latest snapshot, a dump, a baseline reset. */
    public interface Source {
        Snapshot latest();

        /** Path of the dump written, or null when it could not be written. */
        Path dump();

        /** What {@link ThreadLeakMXBean#prove} returns; an {@link IllegalStateException} says in one line why it could not. */
        String prove();

        void resetBaseline();
    }

    private final Source source;

    public ThreadLeakBean(Source source) {
        this.source = source;
    }

    private Snapshot s() {
        return source.latest();
    }

    @Override public int getLiveThreads() { return s().summary().live(); }
    @Override public int getPeakThreads() { return s().summary().peak(); }
    @Override public long getTotalStarted() { return s().summary().agentStarted(); }
    @Override public int getBaseline() { return s().summary().baseline(); }
    @Override public int getDelta() { return s().summary().delta(); }
    @Override public int getLongBlockedCount() { return s().longBlocked().size(); }
    @Override public int getFindingCount() { return s().findings().size(); }
    @Override public long getHookFailures() { return s().summary().hookFailures(); }
    @Override public String getHttpAddress() { return s().http(); }

    @Override
    public Counts getCounts() {
        Snapshot s = s();
        return new Counts(s.takenAtMs(), s.summary().live(), s.summary().baseline(), s.summary().delta(), s.longBlocked().size(),
                s.findings().size(), s.summary().hookFailures());
    }

    @Override
    public List<BlockedThread> getLongBlocked() {
        Snapshot s = s();
        List<BlockedThread> out = new ArrayList<>();
        for (ThreadEntry t : s.longBlocked()) {
            Frame stuck = t.waitFrameOrNull();
            out.add(new BlockedThread(t.tid(), t.name(), t.waitReason(), t.waitingForMs(), blame(s, s.blameSite(t)),
                    stuck == null ? "" : stuck.toString()));
        }
        return out;
    }

    @Override
    public List<FindingInfo> getFindings() {
        Snapshot s = s();
        List<FindingInfo> out = new ArrayList<>();
        for (Finding f : s.findings()) {
            out.add(new FindingInfo(f.kind().name(), f.severity().name(), f.title(), blame(s, f.site()), f.threads(),
                    f.sinceMs(), f.evidence().toArray(new String[0]), f.waitFrame() == null ? "" : f.waitFrame()));
        }
        return out;
    }

    @Override
    public List<SiteCount> getTopSites() {
        List<SiteCount> out = new ArrayList<>();
        for (SiteGroup g : SiteGroup.of(s())) {
            if (g.site() == null) continue;
            out.add(new SiteCount(g.site().blameFrame().toString(), g.threads().size(), g.started()));
            if (out.size() == SiteGroup.TOP_SITES) break;
        }
        return out;
    }

    @Override
    public String dump() {
        Path written = source.dump();
        if (written == null) throw new IllegalStateException("threadleak could not write the dump (see the application's stderr)");
        return written.toString();
    }

    @Override
    public String prove() {
        return source.prove();
    }

    @Override
    public void resetBaseline() {
        source.resetBaseline();
    }

    @Override
    public String report() {
        return new String(TextReport.utf8(s(), "live JVM over JMX", TextReport.Body.FINDINGS_AND_GROUPS), StandardCharsets.UTF_8);
    }

    private static String blame(Snapshot s, int siteId) {
        SiteInfo site = s.site(siteId);
        return site == null || site.blameFrame() == null ? "" : site.blameFrame().toString();
    }
}
