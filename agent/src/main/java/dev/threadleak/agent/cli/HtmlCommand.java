package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.expose.HtmlReport;
import dev.threadleak.agent.snapshot.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "html", mixinStandardHelpOptions = true, header = "Writes one self-contained HTML page: threads over time, findings, flame graphs.", sortOptions = false,
        description = {"Reads a directory of dumps (every dump of the JVM that wrote its newest, oldest first), one dump, or",
                "the JDK's thread dumps of one JVM, and writes a page to look at in a browser, offline (nothing is fetched):",
                "  live threads over time, stacked by creation site, with each finding marked where it began (click a",
                "  site to show it alone); the findings with their evidence; icicle graphs of where the live threads",
                "  were started and where they are now (click a frame to zoom, search to highlight); the executors",
                "  and the long-blocked threads."},
        footer = {"", "Examples:", "  threadleak html -o threads.html /var/tmp/tl",
                "  threadleak html -o threads.html jstack-*.txt   # a JVM without the agent: its dumps, oldest first"})
final class HtmlCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(arity = "1..*", paramLabel = "<dump|dir>", description = {"a dump file, or a directory of dumps (the series of the JVM that wrote its newest); or the JDK's thread dumps of one JVM:",
            Dumps.JDK_INPUTS})
    private List<Path> inputs;

    @Mixin
    private AppPackages app;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of standard output")
    private Path output;

    @Override
    public Integer call() throws UsageException {
        HtmlReport.Series series = new HtmlReport.Series();
        String source = read(series);
        try {
            byte[] page = series.page(source);
            if (output == null) {
                main.out.write(page);
                main.out.flush();
            } else {
                OutputFile.write(output, page);
            }
        } catch (IOException e) {
            throw new UsageException("html: cannot write " + (output == null ? "to standard output" : output) + ": " + e.getMessage());
        }
        return Main.OK;
    }

    /** Adds the inputs' snapshots to {@code series}, oldest first; returns how the page names where they came from. */
    private String read(HtmlReport.Series series) throws UsageException {
        List<Path> jdk = Dumps.jdkFiles(inputs, "html");
        if (!jdk.isEmpty()) {
            for (Snapshot s : Dumps.readJdk(jdk, app.reader())) series.add(s);
            return Dumps.source(jdk);
        }
        Path given = inputs.get(0);
        Dumps.Dump newest = Dumps.resolve(given);
        if (!Files.isDirectory(given)) {
            series.add(newest.snapshot());
            return newest.source();
        }
        // a directory may hold several JVMs' dumps: the series of the one that wrote the newest, read one at a time
        Snapshot last = newest.snapshot();
        int read = 0;
        for (Path p : Dumps.oldestFirst(given)) {
            Snapshot s;
            try {
                s = p.equals(newest.file()) ? last : Dumps.load(p);
            } catch (UsageException unreadable) {
                continue; // being written, or named like a dump and not one: the chart has a gap there
            }
            if (s.pid() != last.pid() || s.jvmStartedAtMs() != last.jvmStartedAtMs()) continue;
            series.add(s);
            read++;
        }
        return given + " (" + read + (read == 1 ? " dump" : " dumps") + " of pid " + last.pid() + ")";
    }
}
