package dev.threadleak.agent.prove;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code threadleak prove} says of a heap dump: {@code PROVEN_LEAK} findings (the threads proven never to wake, and
 * the workers of pools proven forgotten, grouped by creation site and stack), and the waiting threads not proven, each
 * with why. With the agent's dump of the same JVM, each group is placed at the line that started its threads (for a
 * pool's workers, the line that built the pool), as every other finding is.
 */
public final class HeapProof {
    public static final String FORMAT = "threadleak-prove/1";
    /** Stack frames shown of a group's first thread. */
    private static final int SHOWN_FRAMES = 12;
    /** Threads named in a finding's evidence. */
    private static final int NAMED_THREADS = 10;

    /** Proven threads in one stack from one creation site: one finding. */
    private record Group(Finding finding, SiteInfo site, List<Frame> stack, int parkedAt) {}

    /** What puts proven threads in one group: never to wake or forgotten, the site the agent's dump blames (-1: none), the stack. */
    private record GroupKey(boolean forgotten, int site, List<Frame> stack) {}

    /** A group's threads as they are gathered, and the objects they wait on or the pools they serve ({@code Class@id}). */
    private record Members(List<Prover.HeapThread> threads, Set<String> objects) {}

    private final Prover.Result result;
    private final Blame blame;
    private final Snapshot agentDump;
    private final List<Group> groups;

    private HeapProof(Prover.Result result, Blame blame, Snapshot agentDump, long takenAtMs) {
        this.result = result;
        this.blame = blame;
        this.agentDump = agentDump;
        this.groups = groups(result, blame, agentDump, takenAtMs);
    }

    /**
     * Reads and proves {@code heap}; {@code agentDump}, when not null, is the agent's dump of the same JVM, whose creation
     * sites the findings take. An {@link IllegalArgumentException} says in one line why it is no heap dump.
     */
    public static HeapProof of(Path heap, List<String> appPackages, Snapshot agentDump) throws IOException {
        try (HprofFile file = HprofFile.open(heap)) {
            return new HeapProof(Prover.prove(file), Blame.ofAnotherJvm(appPackages), agentDump, file.takenAtMs);
        }
    }

    /** Threads proven never to wake, and workers of pools proven forgotten (they never end). */
    public int proven() {
        return neverWake() + forgottenWorkers();
    }

    /** The {@code PROVEN_LEAK} findings, most severe and largest first. */
    public List<Finding> findings() {
        List<Finding> out = new ArrayList<>();
        for (Group g : groups) out.add(g.finding());
        return out;
    }

    private int neverWake() {
        int n = 0;
        for (Prover.Proven p : result.proven()) n += p.threads().size();
        return n;
    }

    private int forgottenWorkers() {
        int n = 0;
        for (Prover.Forgotten f : result.forgotten()) n += f.workers().size();
        return n;
    }

    private static List<Group> groups(Prover.Result result, Blame blame, Snapshot agentDump, long takenAtMs) {
        Map<Long, ThreadEntry> byTid = new HashMap<>();
        if (agentDump != null) {
            for (ThreadEntry t : agentDump.threads()) byTid.put(t.tid(), t);
        }
        Map<GroupKey, Members> members = new LinkedHashMap<>();
        for (Prover.Proven p : result.proven()) {
            for (Prover.HeapThread t : p.threads()) add(false, p.blockerClass(), p.blocker(), t, byTid, agentDump, members);
        }
        for (Prover.Forgotten f : result.forgotten()) {
            for (Prover.HeapThread t : f.workers()) add(true, f.poolClass(), f.pool(), t, byTid, agentDump, members);
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<GroupKey, Members> e : members.entrySet()) {
            boolean forgotten = e.getKey().forgotten();
            SiteInfo site = agentDump == null ? null : agentDump.site(e.getKey().site());
            List<Prover.HeapThread> group = e.getValue().threads();
            List<Frame> stack = group.get(0).stack();
            int parkedAt = parkedAt(blame, stack);
            long since = takenAtMs;
            for (Prover.HeapThread t : group) {
                ThreadEntry entry = byTid.get(t.tid());
                if (entry != null && entry.startedAtMs() > 0) since = Math.min(since, entry.startedAtMs());
            }
            Set<String> held = e.getValue().objects();
            int n = group.size();
            String title = forgotten
                    ? (held.size() == 1 ? "a forgotten pool, " + held.iterator().next() : held.size() + " forgotten pools (" + classesOf(held) + ")")
                            + ": " + n + " worker" + (n == 1 ? "" : "s") + " that never end, as nothing can shut " + (held.size() == 1 ? "it" : "them") + " down"
                    : n + " thread" + (n == 1 ? "" : "s") + (group.get(0).inObjectWait() ? " in Object.wait forever on " : " parked forever on ") + (held.size() == 1 ? held.iterator().next()
                            : held.size() + " objects (" + classesOf(held) + "), one each") + ", which no thread that can run reaches";
            List<String> evidence = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Prover.HeapThread t : group) names.add(named(t));
            evidence.add("threads: " + String.join(", ", names.size() <= NAMED_THREADS ? names : names.subList(0, NAMED_THREADS))
                    + (names.size() > NAMED_THREADS ? " and " + (names.size() - NAMED_THREADS) + " more" : ""));
            if (site != null && parkedAt >= 0) evidence.add("waits at " + stack.get(parkedAt));
            evidence.add(forgotten
                    ? "proof: " + (held.size() == 1 ? "the pool is" : "each pool is") + " reachable from no GC root but its own workers' (and the threads"
                            + " proven stuck): no code outside its own threads can call shutdown; they wait for its tasks forever"
                    : "proof: " + (held.size() == 1 ? "it is" : "each is") + " reachable from no GC root but these threads' own (their stacks, their"
                            + " Thread objects as the VM and the JDK's lists of threads hold them): nothing can " + (group.get(0).inObjectWait() ? "notify" : "unpark") + " them");
            Finding finding = new Finding(Finding.Kind.PROVEN_LEAK, forgotten ? Finding.Severity.HIGH : Finding.Severity.CRITICAL, title,
                    site == null ? -1 : site.id(), n, since, List.copyOf(evidence), parkedAt < 0 ? null : stack.get(parkedAt).toString());
            out.add(new Group(finding, site, stack, parkedAt));
        }
        out.sort((a, b) -> a.finding().severity() != b.finding().severity() ? a.finding().severity().compareTo(b.finding().severity())
                : Integer.compare(b.finding().threads(), a.finding().threads()));
        return out;
    }

    /** Adds {@code t} to its group: never-wake or forgotten, the site the agent's dump blames (-1: none known), its stack. */
    private static void add(boolean forgotten, String objectClass, long object, Prover.HeapThread t, Map<Long, ThreadEntry> byTid, Snapshot agentDump,
                            Map<GroupKey, Members> members) {
        ThreadEntry entry = byTid.get(t.tid());
        int site = entry != null && entry.name().equals(t.name()) ? agentDump.blameSite(entry) : -1;
        Members m = members.computeIfAbsent(new GroupKey(forgotten, site, t.stack()), k -> new Members(new ArrayList<>(), new TreeSet<>()));
        m.threads().add(t);
        m.objects().add(simple(objectClass) + "@" + Long.toHexString(object));
    }

    private static String classesOf(Set<String> objects) {
        Set<String> classes = new TreeSet<>();
        for (String o : objects) classes.add(o.substring(0, o.indexOf('@')));
        return String.join(", ", classes);
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** {@code agentDumpSource} names the agent's dump the sites come from (null when none). */
    public void writeText(String source, String agentDumpSource, PrintStream out) {
        out.println("threadleak prove: " + Printable.of(source));
        if (agentDump != null) out.println(Printable.of("creation sites from the agent's dump " + agentDumpSource));
        long stacks = groups.stream().filter(g -> g.finding().severity() == Finding.Severity.CRITICAL).count();
        if (result.refused() != null) {
            out.println(threadsInDump() + "; nothing proven: " + result.refused());
            return;
        }
        out.println(threadsInDump() + "; " + neverWake() + " proven never to wake"
                + (result.proven().isEmpty() ? "" : ", in " + stacks + " stack" + (stacks == 1 ? "" : "s"))
                + (result.forgotten().isEmpty() ? "" : "; " + forgottenWorkers() + " in " + result.forgotten().size() + " forgotten pool"
                        + (result.forgotten().size() == 1 ? "" : "s") + ", never to end")
                + "; " + result.notProven().size() + " waiting thread" + (result.notProven().size() == 1 ? "" : "s") + " not proven");
        for (Group g : groups) {
            Finding f = g.finding();
            out.println();
            out.println(Printable.of("[" + f.severity() + "] " + f.kind() + ": " + f.title()));
            if (g.site() != null) out.println(Printable.of("    @ " + g.site().blameFrame()));
            else if (g.parkedAt() >= 0) out.println(Printable.of("    @ " + g.stack().get(g.parkedAt())));
            if (agentDump != null) out.println("    since " + Instant.ofEpochMilli(f.sinceMs()) + " (the first of them started)");
            for (String line : f.evidence()) out.println(Printable.of("    - " + line));
            if (g.site() != null) {
                out.println("    started from:");
                frames(g.site().stack(), g.site().blame(), "   <- blame", out);
                out.println("    waiting in:");
            }
            frames(g.stack(), g.parkedAt(), "   <- here", out);
        }
        if (!result.notProven().isEmpty()) {
            out.println();
            out.println("waiting, not proven:");
            for (Map.Entry<Prover.HeapThread, String> e : result.notProven().entrySet()) {
                out.println(Printable.of("    " + named(e.getKey()) + ": " + e.getValue()));
            }
        }
    }

    private String threadsInDump() {
        return result.threads() + " threads in the heap dump" + (result.virtualThreads() == 0 ? "" : " (" + result.virtualThreads() + " virtual)");
    }

    private static String named(Prover.HeapThread t) {
        return "\"" + t.name() + "\" #" + t.tid() + (t.virtual() ? " virtual" : "");
    }

    private static void frames(List<Frame> stack, int marked, String mark, PrintStream out) {
        for (int i = 0; i < Math.min(stack.size(), SHOWN_FRAMES); i++) out.println(Printable.of("\tat " + stack.get(i) + (i == marked ? mark : "")));
        if (stack.size() > SHOWN_FRAMES) out.println("\t... " + (stack.size() - SHOWN_FRAMES) + " more");
    }

    public void writeJson(JsonGenerator g, String source, String agentDumpSource) throws IOException {
        g.writeStartObject();
        g.writeStringField("format", FORMAT);
        g.writeStringField("source", source);
        if (agentDump != null) g.writeStringField("agentDump", agentDumpSource);
        g.writeNumberField("threads", result.threads());
        g.writeNumberField("virtualThreads", result.virtualThreads());
        if (result.refused() != null) g.writeStringField("refused", result.refused());
        g.writeNumberField("provenThreads", proven());
        g.writeArrayFieldStart("findings");
        for (Group group : groups) SnapshotCodec.writeFinding(g, group.site(), group.finding());
        g.writeEndArray();
        g.writeArrayFieldStart("proven");
        for (Prover.Proven p : result.proven()) {
            g.writeStartObject();
            g.writeStringField("kind", "PROVEN_LEAK");
            g.writeStringField("blocker", p.blockerClass() + "@" + Long.toHexString(p.blocker()));
            List<Frame> stack = p.threads().get(0).stack();
            int at = parkedAt(blame, stack);
            if (at >= 0) g.writeStringField("parkedAt", stack.get(at).toString());
            threads(g, "threads", p.threads());
            g.writeArrayFieldStart("stack");
            for (Frame f : stack) g.writeString(f.toString());
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("forgottenPools");
        for (Prover.Forgotten f : result.forgotten()) {
            g.writeStartObject();
            g.writeStringField("kind", "PROVEN_LEAK");
            g.writeStringField("pool", f.poolClass() + "@" + Long.toHexString(f.pool()));
            threads(g, "workers", f.workers());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("notProven");
        for (Map.Entry<Prover.HeapThread, String> e : result.notProven().entrySet()) {
            g.writeStartObject();
            g.writeNumberField("tid", e.getKey().tid());
            g.writeStringField("name", e.getKey().name());
            g.writeStringField("why", e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Where a thread is parked: the index of the frame that names its stack ({@link Blame#namingFrame}), -1 for no stack. */
    private static int parkedAt(Blame blame, List<Frame> stack) {
        List<String> classes = new ArrayList<>();
        for (Frame f : stack) classes.add(f.className());
        return blame.namingFrame(classes);
    }

    private static void threads(JsonGenerator g, String field, List<Prover.HeapThread> threads) throws IOException {
        g.writeArrayFieldStart(field);
        for (Prover.HeapThread t : threads) {
            g.writeStartObject();
            g.writeNumberField("tid", t.tid());
            g.writeStringField("name", t.name());
            if (t.virtual()) g.writeBooleanField("virtual", true);
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
