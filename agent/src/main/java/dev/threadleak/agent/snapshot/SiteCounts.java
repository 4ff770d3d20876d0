package dev.threadleak.agent.snapshot;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Live threads per group of a snapshot, keyed so that two dumps (of one JVM or of two runs) can be compared:
 * a creation site by its whole stack and kind, not by its id; threads the agent did not see start by origin;
 * identical stacks by their frames.
 */
public final class SiteCounts {
    private SiteCounts() {}

    /** A group's live threads and how to name it to a person. */
    public record Count(String label, long live) {}

    /** Live threads per creation site (pool workers: per site where their executor was built), largest first. */
    public static Map<String, Count> bySite(Snapshot s) {
        Map<String, Count> bySite = new LinkedHashMap<>();
        for (SiteGroup g : SiteGroup.of(s)) {
            SiteInfo site = g.site();
            if (site == null) {
                // a start counted without its stack is the agent's sampling, not the JVM's thread
                String label = "(" + g.origin().words + (g.origin() == Origin.STARTED ? ", " + Origin.NOT_CAPTURED : "") + ")";
                bySite.put(g.origin().name(), new Count(label, g.threads().size()));
            } else {
                bySite.put(siteKey(site), new Count(label(site, g.poolWorkers()), g.threads().size() + site.notListed()));
            }
        }
        return bySite;
    }

    /** How a site is named to a person: {@code started @ FRAME}, or for a pool's workers {@code executors built @ FRAME}. */
    public static String label(SiteInfo site, boolean poolWorkers) {
        return (!site.creation() ? "in one stack @ " : poolWorkers ? "executors built @ " : "started @ ") + site.blameFrame();
    }

    /** A creation site's key in {@link #bySite}, the same in every dump that has the site. */
    public static String siteKey(SiteInfo site) {
        return site.kind() + " " + site.stack();
    }

    /** Live threads per identical current stack. */
    public static Map<List<Frame>, Count> byStack(Snapshot s) {
        Map<List<Frame>, long[]> counts = new LinkedHashMap<>();
        Map<List<Frame>, ThreadEntry> first = new HashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread() || t.stack().isEmpty()) continue;
            counts.computeIfAbsent(t.stack(), k -> new long[1])[0]++;
            first.putIfAbsent(t.stack(), t);
        }
        Map<List<Frame>, Count> byStack = new LinkedHashMap<>();
        counts.forEach((stack, n) -> byStack.put(stack, new Count(label(first.get(stack)), n[0])));
        return byStack;
    }

    /** The top frame alone is ambiguous (every parked thread is in Unsafe.park): what it waits for, and where. */
    private static String label(ThreadEntry t) {
        Frame stuck = t.waitFrameOrNull();
        return t.stack().get(0) + (stuck == null ? "" : " … " + stuck) + (t.waitReason() == null ? "" : " (" + t.waitReason() + ")");
    }

    /** A finding's identity across dumps: its kind and the line it blames. */
    public static String key(Snapshot s, Finding f) {
        SiteInfo site = s.site(f.site());
        if (site != null && site.blameFrame() != null) return f.kind() + " @ " + site.blameFrame();
        return f.waitFrame() != null ? f.kind() + " @ " + f.waitFrame() : f.kind().toString();
    }
}
