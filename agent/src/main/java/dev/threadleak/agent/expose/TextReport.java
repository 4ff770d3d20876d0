package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.io.PrintStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text views of a snapshot: live threads grouped by creation site (like pprof's goroutine profile
 * with {@code debug=1}), or every thread in jstack's layout with where it was created (like {@code debug=2}).
 */
public final class TextReport {
    private final Snapshot s;
    private final PrintStream out;

    public TextReport(Snapshot snapshot, PrintStream out) {
        this.s = snapshot;
        this.out = out;
    }

    public void header(String source) {
        out.println("threadleak report: " + source);
        out.println("pid " + s.pid() + ", java " + s.javaVersion() + (s.command().isEmpty() ? "" : ", " + s.command()));
        out.println("taken " + Instant.ofEpochMilli(s.takenAtMs()) + ", JVM up " + Durations.human(s.takenAtMs() - s.jvmStartedAtMs())
                + ", agent loaded " + Durations.human(s.takenAtMs() - s.agentStartedAtMs()) + " before");
        Summary sum = s.summary();
        List<SiteGroup> groups = SiteGroup.of(s);
        long sites = groups.stream().filter(g -> g.site() != null).count();
        long own = s.threads().stream().filter(ThreadEntry::agent).count();
        out.println();
        out.println("thread profile: total " + sum.live() + " live (" + sum.daemon() + " daemon, " + sum.virtual()
                + " virtual) from " + sites + " creation site" + (sites == 1 ? "" : "s") + "; " + sum.agentStarted()
                + " started since the agent loaded; peak " + sum.peak() + " platform threads"
                + (own > 0 ? "; not counted: " + own + " threadleak thread" + (own == 1 ? "" : "s") : ""));
        out.println("baseline " + sum.baseline() + " (delta " + (sum.delta() >= 0 ? "+" : "") + sum.delta() + "), "
                + s.longBlocked().size() + " long-blocked (waiting " + Durations.human(s.blockedThresholdMs()) + " or more), "
                + s.deadlocks().size() + " deadlock" + (s.deadlocks().size() == 1 ? "" : "s") + ", heap used "
                + sum.heapUsed() / (1024 * 1024) + " MiB, thread stacks reserved " + sum.stackReserved() / (1024 * 1024) + " MiB");
    }

    /** Live threads grouped by creation site, largest group first. */
    public void groups() {
        for (SiteGroup g : SiteGroup.of(s)) {
            out.println();
            List<ThreadEntry> threads = g.threads();
            long now = s.takenAtMs();
            if (g.site() != null) {
                SiteInfo site = g.site();
                out.println(threads.size() + " live, " + g.started() + " started @ " + site.blameFrame());
            } else {
                out.println(threads.size() + " live, " + (g.origin() == ThreadEntry.Origin.BEFORE_AGENT
                        ? "started before agent (age counted from when the agent first saw them)"
                        : "started by the JVM, not through Thread.start"));
            }
            out.println("    states: " + counts(g.states()));
            if (!g.waits().isEmpty()) {
                out.println("    waits:  " + counts(g.waits()) + (g.longestWaitMs() > 0 ? "; longest " + Durations.human(g.longestWaitMs()) : ""));
            }
            long youngest = threads.get(threads.size() - 1).ageMs(now), oldest = threads.get(0).ageMs(now);
            out.println("    age:    " + (threads.size() == 1 ? Durations.human(oldest)
                    : "youngest " + Durations.human(youngest) + ", oldest " + Durations.human(oldest)));
            List<String> names = g.namePatterns();
            out.println("    names:  " + (names.size() <= 5 ? String.join(", ", names)
                    : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more"));
            if (g.site() != null) stack(g.site());
        }
    }

    /** The findings, most severe first, each with its evidence and (once per site) the creation stack it blames. */
    public void findings() {
        List<Finding> findings = s.findings();
        out.println();
        if (findings.isEmpty()) {
            out.println("no findings");
            return;
        }
        out.println(findings.size() + " finding" + (findings.size() == 1 ? "" : "s") + ":");
        Set<Integer> stackShown = new HashSet<>();
        for (Finding f : findings) {
            out.println();
            out.println("[" + f.severity() + "] " + f.kind() + ": " + f.title());
            SiteInfo site = s.site(f.site());
            if (site != null) out.println("    @ " + site.blameFrame());
            out.println("    since " + Instant.ofEpochMilli(f.sinceMs()) + " (" + Durations.human(Math.max(0, s.takenAtMs() - f.sinceMs())) + " before the dump)");
            for (String line : f.evidence()) out.println("    - " + line);
            if (site != null && stackShown.add(site.id())) stack(site);
        }
    }

    private static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private void stack(SiteInfo site) {
        List<Frame> frames = site.stack();
        for (int i = 0; i < frames.size(); i++) {
            out.println("\tat " + frames.get(i) + (i == site.blame() ? "   <- blame" : ""));
        }
        if (site.truncated()) out.println("\t... (cut at depth " + frames.size() + ")");
    }

    /** Every live thread in jstack's layout, followed by where and when it was created. */
    public void threads() {
        for (ThreadEntry t : s.threads()) {
            out.println();
            out.println("\"" + t.name() + "\" #" + t.tid() + (t.virtual() ? " virtual" : "") + (t.daemon() ? " daemon" : "")
                    + " prio=" + t.priority() + " elapsed=" + String.format(Locale.ROOT, "%.2fs", t.ageMs(s.takenAtMs()) / 1000.0));
            out.println("   java.lang.Thread.State: " + t.state() + qualifier(t));
            List<Frame> stack = t.stack();
            for (int i = 0; i < stack.size(); i++) {
                out.println("\tat " + stack.get(i));
                if (i == 0) lockLine(t);
                for (OwnedMonitor m : t.monitorsOwned()) {
                    if (m.depth() == i) out.println("\t- locked " + lock(m.lock()));
                }
            }
            if (!t.synchronizersOwned().isEmpty()) {
                out.println();
                out.println("   Locked ownable synchronizers:");
                for (String lock : t.synchronizersOwned()) out.println("\t- " + lock(lock));
            }
            if (t.waitReason() != null) {
                out.println("   " + (t.waitingForMs() > 0 ? "waiting for " + Durations.human(t.waitingForMs()) + ": " : "") + t.waitReason());
            }
            out.println(createdBy(t));
        }
    }

    private String createdBy(ThreadEntry t) {
        String age = Durations.human(t.ageMs(s.takenAtMs()));
        if (t.agent()) return "   threadleak's own thread, age " + age;
        return switch (t.origin()) {
            case BEFORE_AGENT -> "   started before agent, age at least " + age;
            case BY_JVM -> "   started by the JVM, first seen " + age + " before";
            case STARTED -> {
                SiteInfo site = s.site(t.site());
                String by = t.starter() == null ? "" : " in thread \"" + t.starter().name() + "\" #" + t.starter().tid();
                yield "   created by " + (site == null ? "an unknown site" : site.blameFrame()) + by + ", age " + age;
            }
        };
    }

    private void lockLine(ThreadEntry t) {
        if (t.blockedOn() != null) out.println("\t- waiting to lock " + lock(t.blockedOn()) + owner(t));
        else if (t.waitingOn() != null) out.println("\t- waiting on " + lock(t.waitingOn()));
        else if (t.parkBlocker() != null) out.println("\t- parking to wait for  " + lock(t.parkBlocker()) + owner(t));
    }

    private static String owner(ThreadEntry t) {
        return t.lockOwner() == null ? "" : " owned by \"" + t.lockOwner().name() + "\" #" + t.lockOwner().tid();
    }

    /** {@code java.lang.Object@1b6d3586} as jstack prints a lock: {@code <0x1b6d3586> (a java.lang.Object)}. */
    static String lock(String classAtHash) {
        int at = classAtHash.lastIndexOf('@');
        if (at < 0) return classAtHash;
        return "<0x" + classAtHash.substring(at + 1) + "> (a " + classAtHash.substring(0, at) + ")";
    }

    private static String qualifier(ThreadEntry t) {
        if (t.state().equals("BLOCKED")) return " (on object monitor)";
        if (t.stack().isEmpty()) return "";
        Frame top = t.stack().get(0);
        if (top.method().equals("park") && top.className().endsWith("Unsafe")) return " (parking)";
        if (top.className().equals("java.lang.Object") && top.method().startsWith("wait")) return " (on object monitor)";
        if (top.className().equals("java.lang.Thread") && top.method().startsWith("sleep")) return " (sleeping)";
        return "";
    }

}
