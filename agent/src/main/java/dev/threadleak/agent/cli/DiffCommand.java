package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.foreign.JdkSnapshots;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.SiteCounts;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Two moments compared, like {@code go tool pprof -base} for goroutines. */
@Command(name = "diff", mixinStandardHelpOptions = true, header = "Compares two dumps: +N/-N live threads per site and stack, new findings.", description = {"Compares two dumps: live threads per creation site (pool workers: per executor site) and per",
        "group of identical stacks, +N/-N, new and vanished sites, largest growth first; and the findings new in the later dump.",
        "Given one directory: its oldest and newest dumps."},
        footer = {"", "Exit codes: 0 no site grew by --threshold threads, 1 one did, 2 bad input.",
                "Examples:", "  threadleak diff before.json after.json", "  threadleak diff /var/tmp/tl",
                "  threadleak diff --format json /var/tmp/tl | jq '.sites[] | select(.delta > 0)'"})
final class DiffCommand implements Callable<Integer> {
    /** Changed stacks listed one by one, largest growth first; the rest are counted in one line, so thousands stay readable. */
    private static final int SHOWN_STACKS = 20;

    @ParentCommand
    private Main main;

    @Parameters(arity = "1..2", paramLabel = "<base> <later>", description = {"two dumps (a directory: its newest), or one directory (its oldest and newest);",
            "JDK thread dumps too (jstack or jcmd text, JSON, JFR): one file of several dumps, a recording or a directory of them compares its first and last"})
    private List<Path> inputs;

    @Option(names = "--threshold", paramLabel = "N", description = "a site that gained at least N live threads is growth: exit 1 (default: ${DEFAULT-VALUE})")
    private long threshold = 1;

    @Mixin
    private AppPackages app;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text; json: " + Output.DIFF_FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    @Override
    public Integer call() throws UsageException {
        if (threshold < 1) throw new UsageException("diff: --threshold must be at least 1, got " + threshold);
        if (inputs.size() > 2) throw new UsageException("diff: unexpected argument '" + inputs.get(2) + "' (give two dumps, or one directory)");
        Dumps.Dump base, later;
        JdkSnapshots jdk = app.reader();
        List<Path> jdkFiles = inputs.size() == 1 ? Dumps.jdkInputsIn(inputs.get(0)) : List.of();
        if (!jdkFiles.isEmpty()) {
            // one JVM's JDK dumps (a file of several, a recording, a directory): its first and its last
            List<Snapshot> all = Dumps.readJdk(jdkFiles, jdk);
            if (all.size() < 2) throw new UsageException("diff: " + inputs.get(0) + " holds one dump; nothing to compare it with");
            base = new Dumps.Dump(jdkFiles.get(0), all.get(0));
            later = new Dumps.Dump(jdkFiles.get(jdkFiles.size() - 1), all.get(all.size() - 1));
        } else if (inputs.size() == 1) {
            Path dir = inputs.get(0);
            if (!Files.isDirectory(dir)) throw new UsageException("diff: give two dumps, or one directory (" + dir + " is not one)");
            // the oldest and the newest that read, as report, check and watch skip a half-written or foreign file
            List<Path> all = Dumps.oldestFirst(dir);
            base = firstReadable(all);
            List<Path> newestFirst = new ArrayList<>(all);
            Collections.reverse(newestFirst);
            later = firstReadable(newestFirst);
            if (base == null) throw new UsageException("diff: " + dir + ": no readable threadleak dump in this directory");
            if (later.file().equals(base.file())) throw new UsageException("diff: " + dir + " holds one readable dump; nothing to compare it with");
        } else {
            base = Dumps.resolve(List.of(inputs.get(0)), jdk, "diff");
            later = Dumps.resolve(List.of(inputs.get(1)), jdk, "diff");
        }
        Comparison c = Comparison.of(base, later);
        if (format == Output.TEXT) {
            print(c, threshold, main.out);
        } else {
            try {
                json(c, threshold, main.out);
            } catch (IOException e) {
                throw new UsageException("diff: cannot write to standard output: " + e.getMessage());
            }
        }
        return c.grown(threshold) > 0 ? Main.FOUND : Main.OK;
    }

    /** Two dumps compared: live threads per site and per stack, and the findings new in the later one. */
    record Comparison(Dumps.Dump base, Dumps.Dump later, List<Change> sites, List<Change> stacks, List<Finding> fresh) {
        static Comparison of(Dumps.Dump base, Dumps.Dump later) {
            Snapshot b = base.snapshot(), l = later.snapshot();
            Set<String> old = new HashSet<>();
            for (Finding f : b.findings()) old.add(SiteCounts.key(b, f));
            return new Comparison(base, later, changes(SiteCounts.bySite(b), SiteCounts.bySite(l)), changes(SiteCounts.byStack(b), SiteCounts.byStack(l)),
                    l.findings().stream().filter(f -> !old.contains(SiteCounts.key(l, f))).toList());
        }

        /** Sites that gained at least {@code threshold} live threads. */
        long grown(long threshold) {
            return sites.stream().filter(c -> c.delta() >= threshold).count();
        }
    }

    /** The first of {@code files} that reads as a dump, or null. */
    private static Dumps.Dump firstReadable(List<Path> files) {
        for (Path f : files) {
            try {
                return new Dumps.Dump(f, Dumps.load(f));
            } catch (UsageException unreadable) {
                // skipped: the next one may read
            }
        }
        return null;
    }

    private static void print(Comparison c, long threshold, PrintStream out) {
        Snapshot b = c.base().snapshot(), l = c.later().snapshot();
        out.println("threadleak diff: " + c.base().source() + " -> " + c.later().source());
        long apart = l.takenAtMs() - b.takenAtMs();
        out.println("taken " + Instant.ofEpochMilli(b.takenAtMs()) + " (pid " + b.pid() + ") and " + Instant.ofEpochMilli(l.takenAtMs())
                + " (pid " + l.pid() + "), " + (apart >= 0 ? Durations.human(apart) + " apart" : Durations.human(-apart) + " earlier: the later dump is older"));
        out.println("live threads: " + b.summary().live() + " -> " + l.summary().live() + " (" + signed(l.summary().live() - b.summary().live()) + ")");

        List<Change> sites = c.sites();
        out.println("");
        out.println("creation sites, largest growth first:");
        if (sites.isEmpty()) out.println("  no change");
        for (Change site : sites) {
            String was = site.before() == 0 ? "new" : site.after() == 0 ? "gone" : "was " + site.before();
            out.println(String.format(Locale.ROOT, "  %6s  %6d live  %-10s  %s", signed(site.delta()), site.after(), was, site.label()));
        }
        List<Change> stacks = c.stacks();
        out.println("");
        out.println("identical stacks, largest growth first:");
        if (stacks.isEmpty()) out.println("  no change");
        for (Change stack : stacks.subList(0, Math.min(stacks.size(), SHOWN_STACKS))) {
            out.println(String.format(Locale.ROOT, "  %6s  %6d threads  %s", signed(stack.delta()), stack.after(), stack.label()));
        }
        if (stacks.size() > SHOWN_STACKS) out.println("  and " + (stacks.size() - SHOWN_STACKS) + " more changed stacks");

        List<Finding> fresh = c.fresh();
        out.println("");
        out.println(fresh.isEmpty() ? "no new findings" : fresh.size() + " new finding" + (fresh.size() == 1 ? "" : "s") + " in the later dump:");
        for (Finding f : fresh) out.println("  [" + f.severity() + "] " + f.kind() + ": " + f.title() + keyAt(l, f));
        long grown = c.grown(threshold);
        out.println("");
        out.println(grown == 0 ? "no growth: no site gained " + threshold + " or more live threads"
                : "growth: " + grown + " site" + (grown == 1 ? "" : "s") + " gained " + threshold + " or more live threads");
    }

    /** The comparison as one JSON document ({@link Output#DIFF_FORMAT}): every changed stack, not the text's first 20. */
    private static void json(Comparison c, long threshold, PrintStream out) throws IOException {
        Snapshot l = c.later().snapshot();
        try (JsonGenerator g = Output.json(out, true)) {
            g.writeStartObject();
            g.writeStringField("format", Output.DIFF_FORMAT);
            dump(g, "base", c.base());
            dump(g, "later", c.later());
            g.writeNumberField("apartMs", l.takenAtMs() - c.base().snapshot().takenAtMs());
            changes(g, "sites", c.sites());
            changes(g, "stacks", c.stacks());
            g.writeArrayFieldStart("newFindings");
            for (Finding f : c.fresh()) SnapshotCodec.writeFinding(g, l, f);
            g.writeEndArray();
            g.writeNumberField("threshold", threshold);
            g.writeNumberField("grownSites", c.grown(threshold));
            g.writeEndObject();
        }
        out.println();
    }

    private static void dump(JsonGenerator g, String field, Dumps.Dump d) throws IOException {
        Snapshot s = d.snapshot();
        g.writeObjectFieldStart(field);
        g.writeStringField("source", d.source());
        g.writeNumberField("pid", s.pid());
        g.writeStringField("takenAt", Instant.ofEpochMilli(s.takenAtMs()).toString());
        g.writeNumberField("takenAtMs", s.takenAtMs());
        g.writeNumberField("live", s.summary().live());
        g.writeEndObject();
    }

    /** Each change: what (a site's blame frame and kind, or a stack's top and wait), live before and after, and the delta. */
    private static void changes(JsonGenerator g, String field, List<Change> changes) throws IOException {
        g.writeArrayFieldStart(field);
        for (Change c : changes) {
            g.writeStartObject();
            g.writeStringField("label", c.label());
            g.writeNumberField("before", c.before());
            g.writeNumberField("after", c.after());
            g.writeNumberField("delta", c.delta());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String keyAt(Snapshot s, Finding f) {
        String key = SiteCounts.key(s, f);
        int at = key.indexOf(" @ ");
        return at < 0 ? "" : key.substring(at);
    }

    record Change(String label, long before, long after) {
        long delta() {
            return after - before;
        }
    }

    /** Groups whose count changed (new, gone, up or down), largest growth first, then largest loss last. */
    static <K> List<Change> changes(Map<K, SiteCounts.Count> before, Map<K, SiteCounts.Count> after) {
        List<Change> out = new ArrayList<>();
        after.forEach((k, a) -> {
            SiteCounts.Count b = before.get(k);
            long was = b == null ? 0 : b.live();
            if (a.live() != was) out.add(new Change(a.label(), was, a.live()));
        });
        before.forEach((k, b) -> {
            if (!after.containsKey(k)) out.add(new Change(b.label(), b.live(), 0));
        });
        out.sort(Comparator.comparingLong(Change::delta).reversed().thenComparing(Change::label));
        return out;
    }

    static String signed(long n) {
        return n > 0 ? "+" + n : String.valueOf(n);
    }
}
