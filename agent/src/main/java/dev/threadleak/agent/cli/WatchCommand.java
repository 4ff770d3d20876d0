package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.findings.Rising;
import dev.threadleak.agent.foreign.JdkSnapshots;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.SiteCounts;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A directory of periodic dumps followed over time: per JVM, the live-thread series and its growth per minute,
 * the sites whose live count kept rising, and each finding when it first appears and when it clears.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, header = "Follows a directory of dumps over time; exit 1 on an open finding.", description = {"Reads every dump of a directory in time order (all JVMs, or --pid): per JVM, its live threads",
        "over time with the growth per minute, the sites whose live count kept rising, and each finding when it first",
        "appears and when it clears. With --follow, keeps reading new dumps as they are written."},
        footer = {"", "Exit codes: 0 no finding of the --fail-on kinds or severity open in the newest dump, 1 one is, 2 bad input.",
                "Examples:", "  threadleak watch /var/tmp/tl", "  threadleak watch /var/tmp/tl --fail-on SITE_GROWTH,DEADLOCK   # cron, CI",
                "  threadleak watch /var/tmp/tl --fail-on HIGH   # HIGH and CRITICAL findings, as check --fail-on HIGH",
                "  threadleak watch --follow --format json /var/tmp/tl | jq -c 'select(.event == \"new\")'"})
final class WatchCommand implements Callable<Integer> {
    /** Dumps read before a progress line is worth printing. */
    private static final int PROGRESS_AT = 50;

    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "<dir>", description = {"a directory of dumps; or of the JDK's thread dumps of a JVM (jstack or jcmd text,",
            "JSON thread dumps, JFR recordings), or one such file (several jstack dumps in it, a recording)"})
    private Path dir;

    @Mixin
    private AppPackages app;

    @Option(names = "--pid", paramLabel = "PID", description = "only the dumps of this process id")
    private Long pid;

    @Option(names = "--fail-on", split = ",", paramLabel = "KINDS|SEVERITY",
            description = "what makes the exit code 1 when open in the newest dump (default: every finding): finding kinds "
                    + "(SITE_GROWTH, LONG_BLOCKED, DEADLOCK, DUPLICATE_STACKS, GROWTH, RECREATED_POOLS, UNCLOSED_EXECUTORS, STUCK_TASK, "
                    + "QUEUE_STALL), or a severity (CRITICAL, HIGH, MEDIUM, LOW) for that severity or above, as check's --fail-on; "
                    + "a finding that is either fails")
    private List<String> failOn = List.of();

    @Option(names = "--follow", description = "after the dumps there are, keep reading new ones as they are written (until interrupted)")
    private boolean follow;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "text or json (default: text; json: one object per event and line, " + Output.WATCH_FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    @Option(names = "--poll", paramLabel = "MS", hidden = true, description = "with --follow, how often the directory is listed (default: ${DEFAULT-VALUE})")
    private long pollMs = 1000;

    /** What is followed of each JVM (by pid and start time, so a restarted pid is another JVM). */
    private final Map<String, Series> jvms = new LinkedHashMap<>();
    private Snapshot newest;
    private Events events;

    @Override
    public Integer call() throws UsageException, InterruptedException {
        parseFailOn();
        events = format == Output.TEXT ? new TextEvents(main.out) : new JsonEvents(main.out);
        List<Path> jdkFiles = Dumps.jdkInputsIn(dir);
        if (!jdkFiles.isEmpty()) return watchJdk(jdkFiles);
        List<Path> files = Dumps.oldestFirst(dir);
        if (files.size() >= PROGRESS_AT) main.err.println("threadleak: watch: reading " + files.size() + " dumps of " + dir);
        for (Path f : files) read(f, false);
        if (newest == null) throw new UsageException("watch: " + dir + ": " + (pid == null ? "no readable dump" : "no dump of process " + pid));
        for (Series s : jvms.values()) events.summary(s);
        if (!follow) return open() ? Main.FOUND : Main.OK;
        Map<Path, Boolean> seen = new HashMap<>();
        for (Path f : files) seen.put(f, true);
        while (true) {
            Thread.sleep(pollMs); // a directory poll: dumps arrive every interval, seconds apart
            List<Path> now;
            try {
                now = DumpDirectory.newestFirst(dir);
            } catch (IOException e) {
                throw new UsageException("watch: " + dir + ": cannot list directory: " + e.getMessage());
            }
            // oldest first; a directory emptied meanwhile (every JVM's dumps pruned) is waited on, not an error
            for (int i = now.size() - 1; i >= 0; i--) {
                if (seen.putIfAbsent(now.get(i), true) == null) read(now.get(i), true);
            }
            main.out.flush();
        }
    }

    /**
     * The JDK's dumps of {@code files}, judged in time order as one reader, each a dump of its JVM's series; with --follow,
     * each new file of the directory is read as it appears (a file older than those read is skipped, in one line).
     */
    private int watchJdk(List<Path> files) throws UsageException, InterruptedException {
        if (follow && !Files.isDirectory(dir)) throw new UsageException("watch: --follow follows a directory, and " + dir + " is a file");
        JdkSnapshots jdk = app.reader();
        for (Snapshot s : Dumps.readJdk(files, jdk)) add(s, false);
        if (newest == null) throw new UsageException("watch: " + dir + ": " + (pid == null ? "no readable dump" : "no dump of process " + pid));
        for (Series s : jvms.values()) events.summary(s);
        if (!follow) return open() ? Main.FOUND : Main.OK;
        Set<Path> seen = new HashSet<>(files);
        while (true) {
            Thread.sleep(pollMs); // a directory poll: dumps arrive every interval, seconds apart
            for (Path f : Dumps.jdkInputs(dir)) {
                if (!seen.add(f)) continue;
                try {
                    for (Snapshot s : jdk.read(List.of(f))) add(s, true);
                } catch (DumpFormatException e) {
                    main.err.println("threadleak: watch: skipped " + e.getMessage());
                }
            }
            main.out.flush();
        }
    }

    /** Reads one dump into its JVM's series, unless it is another pid's or unreadable; {@code status}: say so in a line (--follow). */
    private void read(Path file, boolean status) {
        Snapshot s;
        try {
            s = Dumps.load(file);
        } catch (UsageException e) {
            main.err.println("threadleak: watch: skipped " + e.getMessage()); // one bad file (half written, foreign) stops nothing
            return;
        }
        add(s, status);
    }

    /** Adds a snapshot to its JVM's series, unless it is another pid's; {@code status}: say so in a line (--follow). */
    private void add(Snapshot s, boolean status) {
        if (pid != null && s.pid() != pid) return;
        Series series = jvms.computeIfAbsent(s.pid() + " " + s.jvmStartedAtMs(), k -> new Series(s));
        series.add(s, events);
        if (status) events.status(series);
        if (newest == null || s.takenAtMs() >= newest.takenAtMs()) newest = s;
    }

    /** What --fail-on chose, once parsed: kinds, and the least severity (null: none given). Both empty: any finding. */
    private final Set<Finding.Kind> failKinds = EnumSet.noneOf(Finding.Kind.class);
    private Finding.Severity failSeverity;

    /** True when the newest dump has a finding of the chosen kinds or severity (any finding when none was chosen). */
    private boolean open() {
        return newest.findings().stream().anyMatch(f -> (failKinds.isEmpty() && failSeverity == null) || failKinds.contains(f.kind())
                || (failSeverity != null && f.severity().atLeast(failSeverity)));
    }

    /** Each --fail-on value a finding kind or a severity (the least given counts): a misspelt one would silently fail on nothing. */
    private void parseFailOn() throws UsageException {
        for (String value : failOn) {
            String name = value.trim().toUpperCase(Locale.ROOT);
            Finding.Kind kind = enumValue(Finding.Kind.class, name);
            Finding.Severity severity = enumValue(Finding.Severity.class, name);
            if (kind != null) {
                failKinds.add(kind);
            } else if (severity != null) {
                if (failSeverity == null || !severity.atLeast(failSeverity)) failSeverity = severity;
            } else {
                StringBuilder kinds = new StringBuilder();
                for (Finding.Kind k : Finding.Kind.values()) kinds.append(kinds.length() == 0 ? "" : ", ").append(k.name());
                throw new UsageException("watch: --fail-on: '" + value + "' is neither a finding kind (" + kinds + ") nor a severity (CRITICAL, HIGH, MEDIUM, LOW)");
            }
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name) {
        for (E e : type.getEnumConstants()) if (e.name().equals(name)) return e;
        return null;
    }

    /** One JVM's dumps: live threads over time, live threads per site, and its open findings. */
    private static final class Series {
        final long pid;
        final String name;
        final List<long[]> live = new ArrayList<>(); // {takenAtMs, live}
        private final Map<String, List<Long>> sites = new LinkedHashMap<>();
        private final Map<String, String> siteLabels = new HashMap<>();
        Map<String, Finding> openFindings = Map.of();

        Series(Snapshot first) {
            this.pid = first.pid();
            this.name = (first.pid() > 0 ? "pid " + first.pid() : "pid unknown") + (first.command().isEmpty() ? "" : " (" + first.command().split(" ", 2)[0] + ")");
        }

        void add(Snapshot s, Events events) {
            int index = live.size();
            live.add(new long[] {s.takenAtMs(), s.summary().live()});
            SiteCounts.bySite(s).forEach((key, count) -> {
                List<Long> counts = sites.computeIfAbsent(key, k -> new ArrayList<>());
                while (counts.size() < index) counts.add(0L); // a site first seen now had no live thread before
                counts.add(count.live());
                siteLabels.put(key, count.label());
            });
            for (List<Long> counts : sites.values()) {
                while (counts.size() <= index) counts.add(0L);
            }
            Map<String, Finding> now = new LinkedHashMap<>();
            for (Finding f : s.findings()) now.putIfAbsent(SiteCounts.key(s, f), f);
            now.forEach((key, f) -> {
                if (!openFindings.containsKey(key)) events.opened(this, s, f, key);
            });
            openFindings.forEach((key, f) -> {
                if (!now.containsKey(key)) events.cleared(this, s, f, key);
            });
            openFindings = now;
        }

        long[] last() {
            return live.get(live.size() - 1);
        }

        /** Live threads in the newest dump against the one before it; 0 for the first. */
        long change() {
            return live.size() < 2 ? 0 : last()[1] - live.get(live.size() - 2)[1];
        }

        /** Sites whose live count kept rising over the dumps. */
        List<Rise> rising() {
            List<Rise> out = new ArrayList<>();
            sites.forEach((key, counts) -> {
                if (Rising.keptRising(counts)) out.add(new Rise(siteLabels.get(key), counts.get(0), counts.get(counts.size() - 1)));
            });
            return out;
        }
    }

    /** A site whose live count kept rising: its label, and its count in the first and the newest dump. */
    private record Rise(String label, long first, long last) {}

    /** Where watch's events go: lines for people, or one JSON object per line for scripts. */
    private interface Events {
        /** A finding first seen in dump {@code s}. */
        void opened(Series jvm, Snapshot s, Finding f, String key);

        /** A finding open before dump {@code s} and not in it. */
        void cleared(Series jvm, Snapshot s, Finding f, String key);

        /** The newest dump of a JVM, as --follow reads it. */
        void status(Series jvm);

        /** What the dumps of a JVM read so far add up to. */
        void summary(Series jvm);
    }

    private record TextEvents(PrintStream out) implements Events {
        @Override
        public void opened(Series jvm, Snapshot s, Finding f, String key) {
            out.println(Instant.ofEpochMilli(s.takenAtMs()) + " " + jvm.name + ": new   [" + f.severity() + "] " + f.kind() + ": " + f.title() + at(key));
        }

        @Override
        public void cleared(Series jvm, Snapshot s, Finding f, String key) {
            out.println(Instant.ofEpochMilli(s.takenAtMs()) + " " + jvm.name + ": clear [" + f.severity() + "] " + key);
        }

        /** {@code 2026-11-30T02:12:43.412Z pid 4242 (Main): 285 live threads (+8)}. */
        @Override
        public void status(Series jvm) {
            long[] last = jvm.last();
            int open = jvm.openFindings.size();
            out.println(Instant.ofEpochMilli(last[0]) + " " + jvm.name + ": " + last[1] + " live threads"
                    + (jvm.live.size() < 2 ? "" : " (" + DiffCommand.signed(jvm.change()) + ")")
                    + (open == 0 ? "" : ", " + open + " finding" + (open == 1 ? "" : "s") + " open"));
        }

        private static String at(String key) {
            int i = key.indexOf(" @ ");
            return i < 0 ? "" : key.substring(i);
        }

        @Override
        public void summary(Series jvm) {
            List<long[]> live = jvm.live;
            long[] first = live.get(0), last = jvm.last();
            long span = last[0] - first[0];
            out.println("");
            out.println(jvm.name + ": " + live.size() + " dump" + (live.size() == 1 ? "" : "s") + " from " + Instant.ofEpochMilli(first[0])
                    + " over " + Durations.human(span));
            StringBuilder series = new StringBuilder();
            int step = Math.max(1, live.size() / 12); // at most about a dozen points on the line
            for (int i = 0; i < live.size(); i += step) series.append(i == 0 ? "" : ", ").append(live.get(i)[1]);
            if ((live.size() - 1) % step != 0) series.append(", ").append(last[1]);
            out.println("  live threads: " + series + " (" + DiffCommand.signed(last[1] - first[1])
                    + (span > 0 ? String.format(Locale.ROOT, ", %+.1f/min", perMinute(jvm)) : "") + ")");
            List<Rise> rising = jvm.rising();
            out.println(rising.isEmpty() ? "  no site kept rising" : "  sites whose live count kept rising:");
            for (Rise r : rising) out.println("    " + DiffCommand.signed(r.last() - r.first()) + " (" + r.first() + " -> " + r.last() + ") " + r.label());
            out.println(jvm.openFindings.isEmpty() ? "  no finding open in its newest dump"
                    : "  open in its newest dump: " + String.join(", ", jvm.openFindings.keySet()));
        }
    }

    /** Live threads gained per minute between a JVM's first and newest dumps (0 over no time). */
    private static double perMinute(Series jvm) {
        long[] first = jvm.live.get(0), last = jvm.last();
        long span = last[0] - first[0];
        return span > 0 ? (last[1] - first[1]) * 60_000.0 / span : 0;
    }

    /**
     * Newline-delimited JSON, one event a line, each with {@code format} ({@link Output#WATCH_FORMAT}), {@code event}
     * ({@code new}, {@code clear}, {@code status}, {@code summary}), the JVM ({@code pid}, {@code jvm}) and what it says.
     */
    private record JsonEvents(PrintStream out) implements Events {
        @Override
        public void opened(Series jvm, Snapshot s, Finding f, String key) {
            line(jvm, "new", s.takenAtMs(), g -> {
                g.writeStringField("key", key);
                g.writeFieldName("finding");
                SnapshotCodec.writeFinding(g, s, f);
            });
        }

        @Override
        public void cleared(Series jvm, Snapshot s, Finding f, String key) {
            line(jvm, "clear", s.takenAtMs(), g -> {
                g.writeStringField("key", key);
                g.writeStringField("kind", f.kind().name());
                g.writeStringField("severity", f.severity().name());
                g.writeStringField("title", f.title());
            });
        }

        @Override
        public void status(Series jvm) {
            line(jvm, "status", jvm.last()[0], g -> {
                g.writeNumberField("live", jvm.last()[1]);
                g.writeNumberField("change", jvm.change());
                g.writeNumberField("openFindings", jvm.openFindings.size());
            });
        }

        @Override
        public void summary(Series jvm) {
            line(jvm, "summary", jvm.last()[0], g -> {
                g.writeNumberField("dumps", jvm.live.size());
                g.writeNumberField("fromMs", jvm.live.get(0)[0]);
                g.writeArrayFieldStart("live");
                for (long[] point : jvm.live) {
                    g.writeStartObject();
                    g.writeNumberField("takenAtMs", point[0]);
                    g.writeNumberField("live", point[1]);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNumberField("change", jvm.last()[1] - jvm.live.get(0)[1]);
                g.writeNumberField("perMinute", Math.round(perMinute(jvm) * 10) / 10.0);
                g.writeArrayFieldStart("risingSites");
                for (Rise r : jvm.rising()) {
                    g.writeStartObject();
                    g.writeStringField("label", r.label());
                    g.writeNumberField("first", r.first());
                    g.writeNumberField("last", r.last());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeArrayFieldStart("open");
                for (String key : jvm.openFindings.keySet()) g.writeString(key);
                g.writeEndArray();
            });
        }

        private interface Fields {
            void write(JsonGenerator g) throws IOException;
        }

        private void line(Series jvm, String event, long atMs, Fields fields) {
            try (JsonGenerator g = Output.json(out, false)) {
                g.writeStartObject();
                g.writeStringField("format", Output.WATCH_FORMAT);
                g.writeStringField("event", event);
                g.writeNumberField("pid", jvm.pid);
                g.writeStringField("jvm", jvm.name);
                g.writeStringField("at", Instant.ofEpochMilli(atMs).toString());
                g.writeNumberField("atMs", atMs);
                fields.write(g);
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e); // standard output closed: nothing more to say
            }
            out.println();
        }
    }
}
