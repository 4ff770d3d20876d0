package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Exit 0 when the dump has no findings (of the {@code --fail-on} severity or above), 1 when it has: for cron jobs, CI and alert scripts. */
@Command(name = "check", mixinStandardHelpOptions = true, header = "Prints the findings of a dump; exit 1 when there are any.", description = "Prints the findings of a dump (or of the newest dump of a directory); exits 0 when there are none, 1 when there are.",
        footer = {"", "Examples:", "  threadleak check /var/tmp/tl || page-the-on-call", "  threadleak check --fail-on HIGH /var/tmp/tl   # CI: MEDIUM and LOW findings are printed, exit 0",
                "  threadleak check --format json /var/tmp/tl | jq '.findings[].blame'",
                "  threadleak check a.txt b.txt c.txt   # three jstack -l dumps of a JVM without the agent, taken apart"})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(arity = "1..*", paramLabel = "<dump|dir>", description = {Dumps.INPUTS, Dumps.JDK_INPUTS})
    private List<Path> dumps;

    @Mixin
    private AppPackages app;

    @Option(names = "--fail-on", paramLabel = "SEVERITY",
            description = "the least severe finding that makes the exit code 1 (default: ${DEFAULT-VALUE}, every finding): ${COMPLETION-CANDIDATES}")
    private Finding.Severity failOn = Finding.Severity.LOW;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text; json: " + Output.CHECK_FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    @Override
    public Integer call() throws UsageException {
        Dumps.Dump d = Dumps.resolve(dumps, app.reader(), "check");
        Snapshot s = d.snapshot();
        long failing = s.findings().stream().filter(f -> f.severity().atLeast(failOn)).count();
        if (format == Output.TEXT) {
            TextReport.write(s, d.source(), TextReport.Body.FINDINGS, main.out);
        } else {
            try (JsonGenerator g = Output.json(main.out, true)) {
                g.writeStartObject();
                g.writeStringField("format", Output.CHECK_FORMAT);
                g.writeStringField("source", d.source());
                SnapshotCodec.writeHeader(g, s);
                g.writeStringField("failOn", failOn.name());
                g.writeNumberField("failing", failing);
                g.writeArrayFieldStart("findings");
                for (Finding f : s.findings()) SnapshotCodec.writeFinding(g, s, f);
                g.writeEndArray();
                g.writeEndObject();
            } catch (IOException e) {
                throw new UsageException("check: cannot write to standard output: " + e.getMessage());
            }
            main.out.println();
        }
        return failing > 0 ? Main.FOUND : Main.OK;
    }
}
