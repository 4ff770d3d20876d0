package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.expose.TextReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Exit 0 when the dump has no findings, 1 when it has: for cron jobs, CI and alert scripts. */
@Command(name = "check", mixinStandardHelpOptions = true, header = "Prints the findings of a dump; exit 1 when there are any.", description = "Prints the findings of a dump (or of the newest dump of a directory); exits 0 when there are none, 1 when there are.",
        footer = {"", "Example:", "  threadleak check /var/tmp/tl || page-the-on-call"})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "<dump|dir>", description = "a dump file, or a directory of dumps (its newest is read)")
    private Path dump;

    @Override
    public Integer call() throws UsageException {
        Dumps.Dump d = Dumps.resolve(dump);
        TextReport.write(d.snapshot(), d.file().toString(), TextReport.Body.FINDINGS, main.out);
        return d.snapshot().findings().isEmpty() ? Main.OK : Main.FOUND;
    }
}
