package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.expose.JsonReport;
import dev.threadleak.agent.expose.TextReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A dump taken now in a running JVM that carries the agent: its MXBean's {@code dump()} operation over the
 * local JMX connector (started in the target with {@code startLocalManagementAgent} if it is not running).
 * The agent writes the dump into its own directory; this prints its report, or copies it to {@code -o}.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, header = "Takes a dump now in a running JVM that has the agent.", description = "Takes a dump now in a running JVM that has the agent, and prints its report (or writes the dump to a file).",
        footer = {"", "Examples:", "  threadleak dump 4242", "  threadleak dump 4242 -o before.json", "  threadleak dump 4242 --format json | jq '.findings'"})
final class DumpCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "<pid>", description = "the JVM's process id (threadleak list shows them)")
    private String pid;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the dump (JSON, the format report reads) to FILE instead of printing its report")
    private Path output;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json: the report printed (default: text; json: as report --format json)")
    private Output format = Output.TEXT;

    @Override
    public Integer call() throws UsageException {
        // the JMX client reaches the target's local connector over RMI (java.management.rmi, with java.rmi and java.naming)
        Jvms.require("dump", RuntimeModules.ATTACH, RuntimeModules.MANAGEMENT, RuntimeModules.MANAGEMENT_RMI);
        Jvms.checkAttachable("dump", pid);
        String dir = TargetProperties.read(pid, Wire.DIR_PROPERTY);
        if (TargetProperties.unknown(dir)) throw new UsageException("dump: cannot read the properties of process " + pid);
        if (dir == null) {
            throw new UsageException("dump: process " + pid + " does not have the threadleak agent; load it with: threadleak attach " + pid);
        }
        Path written = Path.of(Jvms.agentDump("dump", pid));
        if (output != null) {
            try {
                OutputFile.write(output, Files.readAllBytes(written));
            } catch (IOException e) {
                throw new UsageException("dump: cannot write " + output + ": " + e);
            }
            main.out.println("threadleak: dump of process " + pid + " written to " + output);
            return Main.OK;
        }
        if (format == Output.JSON) {
            try {
                JsonReport.write(Dumps.load(written), written.toString(), main.out);
            } catch (IOException e) {
                throw new UsageException("dump: cannot write to standard output: " + e.getMessage());
            }
        } else {
            TextReport.write(Dumps.load(written), written.toString(), TextReport.Body.FINDINGS_AND_GROUPS, main.out);
        }
        return Main.OK;
    }
}
