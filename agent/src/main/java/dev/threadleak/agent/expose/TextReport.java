package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Sampling;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
    /** What a report shows after its header. */
    public enum Body {
        /** The findings, then the live threads grouped by creation site: the report. */
        FINDINGS_AND_GROUPS,
        /** The findings alone. */
        FINDINGS,
        /** Every live thread in jstack's layout. */
        THREADS
    }

    private final Snapshot s;
    private final PrintStream out;
    /** The snapshot's groups, made once for the header and the groups. */
    private final List<SiteGroup> groups;

    TextReport(Snapshot snapshot, PrintStream out) {
        this.s = snapshot;
        this.out = out;
        this.groups = SiteGroup.of(snapshot);
    }

    /** The report of {@code snapshot}: the header, which names where the snapshot came from ({@code source}), then {@code body}. */
    public static void write(Snapshot snapshot, String source, Body body, PrintStream out) {
        TextReport report = new TextReport(snapshot, out);
        report.header(source);
        // no switch on the enum: that would be one more class to initialize (see AgentRuntime.init)
        if (body == Body.THREADS) {
            report.threads();
        } else {
            report.findings();
            if (body == Body.FINDINGS_AND_GROUPS) report.groups();
        }
    }

    /** {@link #write}'s report as UTF-8 bytes. */
    public static byte[] utf8(Snapshot snapshot, String source, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            write(snapshot, source, body, out);
        }
        return bytes.toByteArray();
    }

    /** Every line goes out through here: thread names, lock names and evidence come from the application and can hold anything. */
    private void println(String line) {
        out.println(Printable.of(line));
    }

    /** {@link Printable#of}, by the name the HTTP endpoint calls it. */
    static String printable(String text) {
        return Printable.of(text);
    }

    void header(String source) {
        println("threadleak report: " + source);
        println((s.pid() > 0 ? "pid " + s.pid() : "pid unknown") + ", java " + s.javaVersion() + (s.command().isEmpty() ? "" : ", " + s.command()) + (s.http().isEmpty() ? "" : ", http on " + s.http()));
        if (s.fromJdkInput()) {
            println("taken " + Instant.ofEpochMilli(s.takenAtMs()) + ", JVM up at least " + Durations.human(s.takenAtMs() - s.jvmStartedAtMs())
                    + ", read from a " + s.input() + (s.agentStartedAtMs() < s.takenAtMs() ? " (its dumps from " + Durations.human(s.takenAtMs() - s.agentStartedAtMs()) + " before on)" : ""));
            println("note: " + jdkInputNote());
        } else {
            println("taken " + Instant.ofEpochMilli(s.takenAtMs()) + ", JVM up " + Durations.human(s.takenAtMs() - s.jvmStartedAtMs())
                    + ", agent loaded " + Durations.human(s.takenAtMs() - s.agentStartedAtMs()) + " before");
        }
        Summary sum = s.summary();
        long sites = groups.stream().filter(g -> g.site() != null).count();
        long agentThreads = s.threads().stream().filter(ThreadEntry::agentThread).count();
        println("");
        println("thread profile: total " + sum.live() + " live (" + sum.daemon() + " daemon, " + sum.virtual()
                + " virtual) from " + sites + (s.fromJdkInput() ? " site" : " creation site") + (sites == 1 ? "" : "s") + "; "
                + (s.fromJdkInput() ? "" : sum.agentStarted() + " started since the agent loaded; ")
                + "peak " + sum.peak() + (s.fromJdkInput() ? " live in the dumps read" : " platform threads")
                + (agentThreads > 0 ? "; not counted: " + agentThreads + " threadleak thread" + (agentThreads == 1 ? "" : "s") : ""));
        println("baseline " + sum.baseline() + " (delta " + (sum.delta() >= 0 ? "+" : "") + sum.delta() + "), "
                + (s.blockedThresholdMs() > 0 ? s.longBlocked().size() + " long-blocked (waiting " + Durations.human(s.blockedThresholdMs()) + " or more), "
                        : "long-blocked threads not judged (blocked=0), ")
                + s.deadlocks().size() + " deadlock" + (s.deadlocks().size() == 1 ? "" : "s")
                + (s.fromJdkInput() ? "" : ", heap used " + sum.heapUsed() / (1024 * 1024) + " MiB, thread stacks reserved " + sum.stackReserved() / (1024 * 1024) + " MiB"));
        if (s.sampling().stretched()) {
            println("note: sampled every " + Durations.human(s.sampling().everyMs()) + ", not every " + Durations.human(s.sampling().optionMs())
                    + " (the sample option): a sample of these " + sum.live() + " threads took " + s.sampling().costMs()
                    + " ms of CPU, and samples take at most " + Sampling.BUDGET_PERCENT_OF_A_CORE + "% of a core; waits and findings are as precise as that interval");
        }
        if (sum.startsDropped() > 0) {
            println("warning: " + sum.startsDropped() + " thread starts not recorded (the agent fell behind or ran out of memory): those threads have no creation site");
        }
        if (sum.stacksSkipped() > 0) {
            println("note: " + sum.stacksSkipped() + " creation stacks skipped while a burst of starts outran the agent: those threads are counted,"
                    + " at the site their kind's other starts named, or as not captured");
        }
        if (sum.hookFailures() > 0) {
            println("warning: the agent's hook failed " + sum.hookFailures() + " time" + (sum.hookFailures() == 1 ? "" : "s")
                    + " (the application went on; those events are not recorded), first: " + sum.firstHookFailure());
        }
        if (sum.threadsNotListed() > 0) {
            println(sum.threadsNotListed() + " live threads counted but not listed in this dump (at most " + s.threads().size()
                    + " are: the agent's threads option); each group says how many of its own");
        }
        if (sum.sitesNotListed() > 0) {
            println(sum.sitesNotListed() + " more creation site" + (sum.sitesNotListed() == 1 ? "" : "s")
                    + " seen since the agent loaded, none with a live thread: not listed (their starts are counted above)");
        }
    }

    /** What a snapshot read from the JDK's output cannot say, and how its groups and waits were made instead. */
    private String jdkInputNote() {
        if (s.input().equals(Snapshot.JFR_INPUT)) {
            return "creation sites are the recording's jdk.ThreadStart stacks (threads started before it have none); states and stacks come"
                    + " from its jdk.ThreadDump events, where recorded, waits are timed from one to the next, and growth is judged over the recording";
        }
        return "a " + s.input() + " does not record where threads were started: threads are grouped by their current stack, each group"
                + " blamed at its first application frame; waits are timed from dump to dump, and growth needs three or more dumps of the JVM";
    }

    /** Live threads grouped by creation site, largest group first. */
    private void groups() {
        for (SiteGroup g : groups) {
            println("");
            List<ThreadEntry> threads = g.threads();
            long now = s.takenAtMs();
            if (g.site() != null) {
                SiteInfo site = g.site();
                // pool workers are grouped where their executors were built: how many executors were built there
                println(threads.size() + " live" + (site.notListed() > 0 ? " (+" + site.notListed() + " not listed)" : "") + ", "
                        + (!site.creation() ? g.started() + " seen in this stack @ "
                        : g.started() + (g.poolWorkers() ? " executors built @ " : " started @ ")) + site.blameFrame());
            } else {
                println(threads.size() + " live, " + g.origin().words + switch (g.origin()) {
                    case BEFORE_AGENT -> " (age counted from when the agent first saw them)";
                    case BY_JVM -> ", not through Thread.start";
                    case STARTED -> ", " + notCaptured();
                    case NOT_RECORDED -> " in the " + s.input() + ", and no stack";
                });
            }
            println("    states: " + counts(g.states()));
            if (!g.waits().isEmpty()) {
                println("    waits:  " + counts(g.waits()) + (g.longestWaitMs() > 0 ? "; longest " + Durations.human(g.longestWaitMs()) : ""));
            }
            long youngest = threads.get(threads.size() - 1).ageMs(now), oldest = threads.get(0).ageMs(now);
            println("    age:    " + (threads.size() == 1 ? Durations.human(oldest)
                    : "youngest " + Durations.human(youngest) + ", oldest " + Durations.human(oldest)));
            List<String> names = g.namePatterns();
            println("    names:  " + (names.size() <= 5 ? String.join(", ", names)
                    : String.join(", ", names.subList(0, 5)) + " and " + (names.size() - 5) + " more"));
            if (g.site() != null) stack(g.site());
        }
    }

    /** The findings, most severe first, each with its evidence and (once per site) the creation stack it blames. */
    private void findings() {
        List<Finding> findings = s.findings();
        println("");
        if (findings.isEmpty()) {
            println("no findings");
            return;
        }
        println(findings.size() + " finding" + (findings.size() == 1 ? "" : "s") + ":");
        Set<Integer> stackShown = new HashSet<>();
        for (Finding f : findings) {
            println("");
            println("[" + f.severity() + "] " + f.kind() + ": " + f.title());
            SiteInfo site = s.site(f.site());
            if (site != null) println("    @ " + site.blameFrame());
            println("    since " + Instant.ofEpochMilli(f.sinceMs()) + " (" + Durations.human(Math.max(0, s.takenAtMs() - f.sinceMs())) + " before the dump)");
            for (String line : f.evidence()) println("    - " + line);
            if (site != null && stackShown.add(site.id())) stack(site);
        }
    }

    private static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    private void stack(SiteInfo site) {
        List<Frame> frames = site.stack();
        for (int i = 0; i < frames.size(); i++) {
            println("\tat " + frames.get(i) + (i == site.blame() ? "   <- blame" : ""));
        }
        if (site.truncated()) println("\t... (cut at depth " + frames.size() + ")");
    }

    /** Every live thread in jstack's layout, followed by where and when it was created. */
    private void threads() {
        for (ThreadEntry t : s.threads()) {
            println("");
            println("\"" + t.name() + "\" #" + t.tid() + (t.virtual() ? " virtual" : "") + (t.daemon() ? " daemon" : "")
                    + " prio=" + t.priority() + " elapsed=" + String.format(Locale.ROOT, "%.2fs", t.ageMs(s.takenAtMs()) / 1000.0));
            println("   java.lang.Thread.State: " + t.state() + qualifier(t));
            List<Frame> stack = t.stack();
            for (int i = 0; i < stack.size(); i++) {
                println("\tat " + stack.get(i));
                if (i == 0) lockLine(t);
                for (OwnedMonitor m : t.monitorsOwned()) {
                    if (m.depth() == i) println("\t- locked " + lock(m.lock()));
                }
            }
            if (!t.synchronizersOwned().isEmpty()) {
                println("");
                println("   Locked ownable synchronizers:");
                for (String lock : t.synchronizersOwned()) println("\t- " + lock(lock));
            }
            if (t.waitReason() != null) {
                Frame stuck = t.waitFrameOrNull();
                println("   " + (t.waitingForMs() > 0 ? "waiting for " + Durations.human(t.waitingForMs()) + ": " : "") + t.waitReason()
                        + (stuck == null ? "" : " @ " + stuck));
            }
            String worker = workerOf(t);
            if (worker != null) println(worker);
            println(createdBy(t));
        }
    }

    /**
     * {@code worker of ThreadPoolExecutor "ingest-*" built at Ingest.<init>(Ingest.java:40), running; task submitted
     * at Ingest.schedule(Ingest.java:88), running for 4m10s}, for pool workers; null for other threads.
     */
    private String workerOf(ThreadEntry t) {
        ExecutorInfo e = t.executor() >= 0 ? s.executor(t.executor()) : null;
        if (e == null) return null;
        SiteInfo built = s.site(e.site());
        StringBuilder line = new StringBuilder("   worker of ").append(e.describe())
                .append(built == null ? " (built before the agent loaded or by the JDK)" : " built at " + built.blameFrame())
                .append(", ").append(e.state().toLowerCase(Locale.ROOT));
        if (t.task() != null) {
            SiteInfo submitted = s.site(t.task().submittedSite());
            line.append("; task ").append(submitted == null ? "" : "submitted at " + submitted.blameFrame() + ", ")
                    .append("running for ").append(Durations.human(t.task().runningForMs(s.takenAtMs())));
        } else if (t.idle()) {
            line.append("; waiting for a task");
        }
        return line.toString();
    }

    /** A start the agent counted without its stack: it names no line rather than one that may not have started it. */
    private String notCaptured() {
        long skipped = s.summary().stacksSkipped();
        return Origin.NOT_CAPTURED + " (starts are sampled: the agent's starts option"
                + (skipped > 0 ? "; and " + skipped + " stacks were skipped while a burst of starts outran the agent" : "") + ")";
    }

    private String createdBy(ThreadEntry t) {
        String age = Durations.human(t.ageMs(s.takenAtMs()));
        if (t.agentThread()) return "   threadleak's own thread, age " + age;
        return switch (t.origin()) {
            case BEFORE_AGENT -> "   " + Origin.BEFORE_AGENT.words + ", age at least " + age;
            case BY_JVM -> "   " + Origin.BY_JVM.words + ", first seen " + age + " before";
            case NOT_RECORDED -> "   " + Origin.NOT_RECORDED.words + " in the " + s.input() + ", age " + age;
            case STARTED -> {
                SiteInfo site = s.site(t.site());
                String by = t.starter() == null ? "" : " in thread \"" + t.starter().name() + "\" #" + t.starter().tid();
                yield site == null ? "   " + Origin.STARTED.words + by + ", " + notCaptured() + ", age " + age
                        : "   created by " + site.blameFrame() + by + ", age " + age;
            }
        };
    }

    private void lockLine(ThreadEntry t) {
        if (t.blockedOn() != null) println("\t- waiting to lock " + lock(t.blockedOn()) + owner(t));
        else if (t.waitingOn() != null) println("\t- waiting on " + lock(t.waitingOn()));
        else if (t.parkBlocker() != null) println("\t- parking to wait for  " + lock(t.parkBlocker()) + owner(t));
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
        if (top.objectWait()) return " (on object monitor)";
        if (top.className().equals("java.lang.Thread") && top.method().startsWith("sleep")) return " (sleeping)";
        return "";
    }

}
