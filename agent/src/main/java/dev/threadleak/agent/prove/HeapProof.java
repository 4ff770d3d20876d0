package dev.threadleak.agent.prove;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Printable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What {@code threadleak prove} says of a heap dump: the threads proven never to wake, and the waiting ones not proven, each with why. */
public final class HeapProof {
    public static final String FORMAT = "threadleak-prove/1";
    /** Stack frames shown of a proven group's first thread. */
    private static final int SHOWN_FRAMES = 12;

    private final Prover.Result result;
    private final Blame blame;

    private HeapProof(Prover.Result result, Blame blame) {
        this.result = result;
        this.blame = blame;
    }

    /** Reads and proves {@code heap}; an {@link IllegalArgumentException} says in one line why it is no heap dump. */
    public static HeapProof of(Path heap, List<String> appPackages) throws IOException {
        try (HprofFile file = HprofFile.open(heap)) {
            return new HeapProof(Prover.prove(file), Blame.ofAnotherJvm(appPackages));
        }
    }

    /** Threads proven never to wake, and workers of pools proven forgotten (they never end). */
    public int proven() {
        return neverWake() + forgottenWorkers();
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

    /** Where a thread is parked: the index of the frame that names its stack ({@link Blame#namingFrame}), -1 for no stack. */
    private int parkedAt(List<Frame> stack) {
        List<String> classes = new ArrayList<>();
        for (Frame f : stack) classes.add(f.className());
        return blame.namingFrame(classes);
    }

    private static String blocker(Prover.Proven p) {
        return simple(p.blockerClass()) + "@" + Long.toHexString(p.blocker());
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** The forgotten pools whose first workers wait in one stack, together (a scheduler per client: one group), largest first. */
    private List<List<Prover.Forgotten>> forgottenByStack() {
        Map<List<Frame>, List<Prover.Forgotten>> groups = new LinkedHashMap<>();
        for (Prover.Forgotten f : result.forgotten()) groups.computeIfAbsent(f.workers().get(0).stack(), k -> new ArrayList<>()).add(f);
        List<List<Prover.Forgotten>> out = new ArrayList<>(groups.values());
        out.sort(Comparator.comparingInt((List<Prover.Forgotten> g) -> g.size()).reversed());
        return out;
    }

    /** The proven groups whose threads wait in one stack, together (a pool per request: one forgotten pool each), largest first. */
    private List<List<Prover.Proven>> byStack() {
        Map<List<Frame>, List<Prover.Proven>> groups = new LinkedHashMap<>();
        for (Prover.Proven p : result.proven()) groups.computeIfAbsent(p.threads().get(0).stack(), k -> new ArrayList<>()).add(p);
        List<List<Prover.Proven>> out = new ArrayList<>(groups.values());
        out.sort(Comparator.comparingInt((List<Prover.Proven> g) -> g.stream().mapToInt(p -> p.threads().size()).sum()).reversed());
        return out;
    }

    public void writeText(String source, PrintStream out) {
        out.println("threadleak prove: " + Printable.of(source));
        out.println(result.threads() + " platform threads in the heap dump; " + neverWake() + " proven never to wake"
                + (result.proven().isEmpty() ? "" : ", in " + byStack().size() + " stack" + (byStack().size() == 1 ? "" : "s"))
                + (result.forgotten().isEmpty() ? "" : "; " + forgottenWorkers() + " in " + result.forgotten().size() + " forgotten pool"
                        + (result.forgotten().size() == 1 ? "" : "s") + ", never to end")
                + "; " + result.notProven().size() + " waiting thread" + (result.notProven().size() == 1 ? "" : "s") + " not proven");
        for (List<Prover.Proven> group : byStack()) {
            List<Prover.HeapThread> threads = new ArrayList<>();
            Set<String> classes = new TreeSet<>();
            for (Prover.Proven p : group) {
                threads.addAll(p.threads());
                classes.add(simple(p.blockerClass()));
            }
            out.println();
            String on = group.size() == 1 ? blocker(group.get(0)) : group.size() + " objects (" + String.join(", ", classes) + "), one each";
            out.println("[PROVEN_LEAK] " + threads.size() + " thread" + (threads.size() == 1 ? "" : "s") + " parked forever on " + on
                    + ", which no thread that can run reaches");
            threadsAndStack(threads, "    proof: " + (group.size() == 1 ? "it is" : "each is") + " reachable from no GC root but these threads' own"
                    + " (their stacks, their Thread objects and the lists of threads that hold those): nothing can unpark them", out);
        }
        for (List<Prover.Forgotten> group : forgottenByStack()) {
            List<Prover.HeapThread> workers = new ArrayList<>();
            Set<String> classes = new TreeSet<>();
            for (Prover.Forgotten f : group) {
                workers.addAll(f.workers());
                classes.add(simple(f.poolClass()));
            }
            out.println();
            out.println("[PROVEN_LEAK] " + (group.size() == 1 ? "a forgotten pool, " + simple(group.get(0).poolClass()) + "@" + Long.toHexString(group.get(0).pool())
                    : group.size() + " forgotten pools (" + String.join(", ", classes) + ")") + ": " + workers.size() + " worker"
                    + (workers.size() == 1 ? "" : "s") + " that never end, as nothing can shut " + (group.size() == 1 ? "it" : "them") + " down");
            threadsAndStack(workers, "    proof: " + (group.size() == 1 ? "the pool is" : "each pool is") + " reachable from no GC root but its own"
                    + " workers' (and the threads proven stuck): no code outside its own threads can call shutdown; they wait for its tasks forever", out);
        }
        if (!result.notProven().isEmpty()) {
            out.println();
            out.println("waiting, not proven:");
            for (Map.Entry<Prover.HeapThread, String> e : result.notProven().entrySet()) {
                out.println(Printable.of("    \"" + e.getKey().name() + "\" #" + e.getKey().tid() + ": " + e.getValue()));
            }
        }
    }

    /** A group's threads by name, the frame that names their stack, {@code proof}, then the first thread's stack. */
    private void threadsAndStack(List<Prover.HeapThread> threads, String proof, PrintStream out) {
        List<String> names = new ArrayList<>();
        for (Prover.HeapThread t : threads) names.add("\"" + t.name() + "\" #" + t.tid());
        out.println(Printable.of("    threads: " + String.join(", ", names.size() <= 10 ? names : names.subList(0, 10))
                + (names.size() > 10 ? " and " + (names.size() - 10) + " more" : "")));
        List<Frame> stack = threads.get(0).stack();
        int atIndex = parkedAt(stack);
        if (atIndex >= 0) out.println(Printable.of("    @ " + stack.get(atIndex)));
        out.println(proof);
        for (int i = 0; i < Math.min(stack.size(), SHOWN_FRAMES); i++) out.println(Printable.of("\tat " + stack.get(i) + (i == atIndex ? "   <- here" : "")));
        if (stack.size() > SHOWN_FRAMES) out.println("\t... " + (stack.size() - SHOWN_FRAMES) + " more");
    }

    public void writeJson(JsonGenerator g, String source) throws IOException {
        g.writeStartObject();
        g.writeStringField("format", FORMAT);
        g.writeStringField("source", source);
        g.writeNumberField("threads", result.threads());
        g.writeNumberField("provenThreads", proven());
        g.writeArrayFieldStart("proven");
        for (Prover.Proven p : result.proven()) {
            g.writeStartObject();
            g.writeStringField("kind", "PROVEN_LEAK");
            g.writeStringField("blocker", p.blockerClass() + "@" + Long.toHexString(p.blocker()));
            List<Frame> stack = p.threads().get(0).stack();
            int at = parkedAt(stack);
            if (at >= 0) g.writeStringField("parkedAt", stack.get(at).toString());
            g.writeArrayFieldStart("threads");
            for (Prover.HeapThread t : p.threads()) {
                g.writeStartObject();
                g.writeNumberField("tid", t.tid());
                g.writeStringField("name", t.name());
                g.writeEndObject();
            }
            g.writeEndArray();
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
            g.writeArrayFieldStart("workers");
            for (Prover.HeapThread t : f.workers()) {
                g.writeStartObject();
                g.writeNumberField("tid", t.tid());
                g.writeStringField("name", t.name());
                g.writeEndObject();
            }
            g.writeEndArray();
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
}
