package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.expose.Collapsed;
import dev.threadleak.agent.expose.JsonReport;
import dev.threadleak.agent.expose.Pprof;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.snapshot.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "report", mixinStandardHelpOptions = true, header = "Prints a dump as text, threads, json, collapsed stacks or a pprof profile.", sortOptions = false,
        description = {"Reads a dump (or the newest dump of a directory) and prints it in one format:",
                "  text       findings, then live threads grouped by creation site (the default)",
                "  threads    every thread in jstack's layout, with where it was created",
                "  json       totals, findings and groups as JSON, for scripts",
                "  collapsed  one line per distinct stack, 'frame;frame;frame COUNT', outermost first,",
                "             for flamegraph.pl, speedscope and Pyroscope",
                "  pprof      gzipped profile.proto, Go's goroutine profile type (goroutine/count): a sample",
                "             per group of identical threads, labels state, wait, site, name and executor,",
                "             for go tool pprof (--per-thread: a sample per thread, with thread and age)"},
        footer = {"", "Examples:", "  threadleak report /var/tmp/tl",
                "  threadleak report --format collapsed --creation /var/tmp/tl | flamegraph.pl > threads.svg",
                "  threadleak report --format pprof -o threads.pb.gz /var/tmp/tl && go tool pprof -top threads.pb.gz",
                "  threadleak report recording.jfr   # a JFR recording of a JVM without the agent: creation sites from jdk.ThreadStart"})
final class ReportCommand implements Callable<Integer> {
    enum Format { TEXT, THREADS, JSON, COLLAPSED, PPROF }

    @ParentCommand
    private Main main;

    @Parameters(arity = "1..*", paramLabel = "<dump|dir>", description = {Dumps.INPUTS, Dumps.JDK_INPUTS})
    private List<Path> dumps;

    @Mixin
    private AppPackages app;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text, threads, json, collapsed or pprof (default: text)")
    private Format format;

    @Option(names = "--threads", description = "the same as --format threads")
    private boolean threads;

    @Option(names = "--creation", negatable = true, paramLabel = "",
            description = "collapsed and pprof: put each thread's creation stack (for a pool worker: where its executor "
                    + "was built) at the root of its current stack (default: on for pprof, off for collapsed)")
    private Boolean creation;

    @Option(names = "--weight", paramLabel = "count|age",
            description = "collapsed: weigh each thread as 1 (count, the default) or by its age in seconds (age)")
    private Collapsed.Weight weight = Collapsed.Weight.COUNT;

    @Option(names = "--per-thread", description = "pprof: a sample per thread, labelled with its name (thread) and age in seconds "
            + "(age), for -tagfocus=age=600: (default: a sample per group of identical threads, as Go's goroutine profile)")
    private boolean perThread;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write to FILE instead of standard output")
    private Path output;

    @Override
    public Integer call() throws UsageException {
        if (threads && format != null && format != Format.THREADS) throw new UsageException("report: --threads and --format " + format.name().toLowerCase(Locale.ROOT) + " contradict each other");
        Format f = threads ? Format.THREADS : format == null ? Format.TEXT : format;
        if (perThread && f != Format.PPROF) throw new UsageException("report: --per-thread is for --format pprof, not " + f.name().toLowerCase(Locale.ROOT));
        Dumps.Dump d = Dumps.resolve(dumps, app.reader(), "report");
        try {
            if (output == null) {
                render(d, f, main.out);
            } else {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                render(d, f, bytes);
                OutputFile.write(output, bytes.toByteArray());
            }
        } catch (IOException e) {
            throw new UsageException("report: cannot write " + (output == null ? "to standard output" : output) + ": " + e.getMessage());
        }
        return Main.OK;
    }

    private void render(Dumps.Dump d, Format f, OutputStream to) throws UsageException, IOException {
        Snapshot s = d.snapshot();
        PrintStream out = to instanceof PrintStream p ? p : new PrintStream(to, false, StandardCharsets.UTF_8);
        switch (f) {
            case TEXT -> TextReport.write(s, d.source(), TextReport.Body.FINDINGS_AND_GROUPS, out);
            case THREADS -> TextReport.write(s, d.source(), TextReport.Body.THREADS, out);
            case JSON -> JsonReport.write(s, d.source(), out);
            case COLLAPSED -> Collapsed.write(s, creation != null && creation, weight, out);
            case PPROF -> Pprof.write(s, creation == null || creation, perThread, out);
        }
        out.flush();
    }
}
