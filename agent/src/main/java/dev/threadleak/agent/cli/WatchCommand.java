package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.findings.Rising;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Snapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
        footer = {"", "Exit codes: 0 no finding of the --fail-on kinds open in the newest dump, 1 one is, 2 bad input.",
                "Examples:", "  threadleak watch /var/tmp/tl", "  threadleak watch /var/tmp/tl --fail-on SITE_GROWTH,DEADLOCK   # cron, CI"})
final class WatchCommand implements Callable<Integer> {
    /** Dumps read before a progress line is worth printing. */
    private static final int PROGRESS_AT = 50;

    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "<dir>", description = "a directory of dumps")
    private Path dir;

    @Option(names = "--pid", paramLabel = "PID", description = "only the dumps of this process id")
    private Long pid;

    @Option(names = "--fail-on", split = ",", paramLabel = "KINDS",
            description = "finding kinds that make the exit code 1 when open in the newest dump (default: every kind): ${COMPLETION-CANDIDATES}")
    private Set<Finding.Kind> failOn = EnumSet.allOf(Finding.Kind.class);

    @Option(names = "--follow", description = "after the dumps there are, keep reading new ones as they are written (until interrupted)")
    private boolean follow;

    @Option(names = "--poll", paramLabel = "MS", hidden = true, description = "with --follow, how often the directory is listed (default: ${DEFAULT-VALUE})")
    private long pollMs = 1000;

    /** What is followed of each JVM (by pid and start time, so a restarted pid is another JVM). */
    private final Map<String, Series> jvms = new LinkedHashMap<>();
    private Snapshot newest;

    @Override
    public Integer call() throws UsageException, InterruptedException {
        List<Path> files = Dumps.oldestFirst(dir);
        if (files.size() >= PROGRESS_AT) main.err.println("threadleak: watch: reading " + files.size() + " dumps of " + dir);
        for (Path f : files) read(f, false);
        if (newest == null) throw new UsageException("watch: " + dir + ": " + (pid == null ? "no readable dump" : "no dump of process " + pid));
        for (Series s : jvms.values()) s.summary(main.out);
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

    /** Reads one dump into its JVM's series, unless it is another pid's or unreadable; {@code status}: say so in a line (--follow). */
    private void read(Path file, boolean status) {
        Snapshot s;
        try {
            s = Dumps.load(file);
        } catch (UsageException e) {
            main.err.println("threadleak: watch: skipped " + e.getMessage()); // one bad file (half written, foreign) stops nothing
            return;
        }
        if (pid != null && s.pid() != pid) return;
        Series series = jvms.computeIfAbsent(s.pid() + " " + s.jvmStartedAtMs(), k -> new Series(s));
        series.add(s, main.out);
        if (status) series.status(main.out);
        if (newest == null || s.takenAtMs() >= newest.takenAtMs()) newest = s;
    }

    /** True when the newest dump has a finding of the chosen kinds. */
    private boolean open() {
        return newest.findings().stream().anyMatch(f -> failOn.contains(f.kind()));
    }

    /** One JVM's dumps: live threads over time, live threads per site, and its open findings. */
    private static final class Series {
        private final String name;
        private final List<long[]> live = new ArrayList<>(); // {takenAtMs, live}
        private final Map<String, List<Long>> sites = new LinkedHashMap<>();
        private final Map<String, String> siteLabels = new HashMap<>();
        private Map<String, Finding> openFindings = Map.of();

        Series(Snapshot first) {
            this.name = "pid " + first.pid() + (first.command().isEmpty() ? "" : " (" + first.command().split(" ", 2)[0] + ")");
        }

        void add(Snapshot s, PrintStream out) {
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
            String at = Instant.ofEpochMilli(s.takenAtMs()).toString();
            now.forEach((key, f) -> {
                if (!openFindings.containsKey(key)) out.println(at + " " + name + ": new   [" + f.severity() + "] " + f.kind() + ": " + f.title() + at(key));
            });
            openFindings.forEach((key, f) -> {
                if (!now.containsKey(key)) out.println(at + " " + name + ": clear [" + f.severity() + "] " + key);
            });
            openFindings = now;
        }

        /** {@code 2026-11-30T02:12:43.412Z pid 4242 (Main): 285 live threads (+8)}: the newest dump, as --follow reads it. */
        void status(PrintStream out) {
            long[] last = live.get(live.size() - 1);
            String change = live.size() < 2 ? "" : " (" + DiffCommand.signed(last[1] - live.get(live.size() - 2)[1]) + ")";
            out.println(Instant.ofEpochMilli(last[0]) + " " + name + ": " + last[1] + " live threads" + change
                    + (openFindings.isEmpty() ? "" : ", " + openFindings.size() + " finding" + (openFindings.size() == 1 ? "" : "s") + " open"));
        }

        private static String at(String key) {
            int i = key.indexOf(" @ ");
            return i < 0 ? "" : key.substring(i);
        }

        void summary(PrintStream out) {
            long[] first = live.get(0), last = live.get(live.size() - 1);
            long span = last[0] - first[0];
            out.println("");
            out.println(name + ": " + live.size() + " dump" + (live.size() == 1 ? "" : "s") + " from " + Instant.ofEpochMilli(first[0])
                    + " over " + Durations.human(span));
            StringBuilder series = new StringBuilder();
            int step = Math.max(1, live.size() / 12); // at most about a dozen points on the line
            for (int i = 0; i < live.size(); i += step) series.append(i == 0 ? "" : ", ").append(live.get(i)[1]);
            if ((live.size() - 1) % step != 0) series.append(", ").append(last[1]);
            out.println("  live threads: " + series + " (" + DiffCommand.signed(last[1] - first[1])
                    + (span > 0 ? String.format(Locale.ROOT, ", %+.1f/min", (last[1] - first[1]) * 60_000.0 / span) : "") + ")");
            List<String> rising = new ArrayList<>();
            sites.forEach((key, counts) -> {
                if (Rising.keptRising(counts)) {
                    rising.add("    " + DiffCommand.signed(counts.get(counts.size() - 1) - counts.get(0)) + " (" + counts.get(0) + " -> "
                            + counts.get(counts.size() - 1) + ") " + siteLabels.get(key));
                }
            });
            out.println(rising.isEmpty() ? "  no site kept rising" : "  sites whose live count kept rising:");
            rising.forEach(out::println);
            out.println(openFindings.isEmpty() ? "  no finding open in its newest dump"
                    : "  open in its newest dump: " + String.join(", ", openFindings.keySet()));
        }
    }
}
