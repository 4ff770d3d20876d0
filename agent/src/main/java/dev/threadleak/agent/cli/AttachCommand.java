package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.config.Wire;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.Callable;
import net.bytebuddy.agent.ByteBuddyAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * Loads this jar as an agent into a running JVM. Options are checked here first, so a bad one is one line
 * and exit 2 with the target untouched (the attach API would only say the agent failed to start). A
 * relative {@code dir} is made absolute here, where it was meant; without {@code dir} the target picks its
 * default, and the directory announced is the one the target reports. A target that has the agent already
 * is left alone: one line, exit 2.
 */
@Command(name = "attach", mixinStandardHelpOptions = true, header = "Loads the agent into a running JVM.", description = "Loads the agent into a running JVM of this user (options as for -javaagent).",
        footer = {"", "Example:", "  threadleak attach 4242 dir=/var/tmp/tl,interval=30s"})
final class AttachCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Parameters(index = "0", paramLabel = "<pid>", description = "the JVM's process id (threadleak list shows them)")
    private String pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<options>", description = "agent options, e.g. dir=/var/tmp/tl,interval=30s")
    private String agentOptions = "";

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text; json: " + ATTACH_FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    static final String ATTACH_FORMAT = "threadleak-attach/1";
    private static final String DEFAULT_DIR = "the target's default directory (its ${java.io.tmpdir}/threadleak-<user.name>)";

    @Override
    public Integer call() throws UsageException {
        if (!pid.matches("\\d{1,10}")) throw new UsageException("attach: '" + pid + "' is not a process id");
        Jvms.require("attach", RuntimeModules.ATTACH);
        String options;
        try {
            options = Options.forTarget(agentOptions);
        } catch (Options.BadOption e) {
            throw new UsageException(e.getMessage());
        }
        Jvms.checkAttachable("attach", pid);
        String already = TargetProperties.read(pid, Wire.DIR_PROPERTY);
        if (already != null && !TargetProperties.unknown(already)) throw alreadyLoaded(already);
        String attachId = java.util.UUID.randomUUID().toString();
        try {
            File jar = new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            ByteBuddyAgent.attach(jar, pid, Wire.withAttachId(attachId, options));
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String dir = TargetProperties.read(pid, Wire.DIR_PROPERTY);
            // loaded meanwhile by someone else: the target refused the second load
            if (dir != null && !TargetProperties.unknown(dir)) throw alreadyLoaded(dir);
            throw new UsageException("attach: cannot attach to process " + pid + ": " + root);
        }
        String dir = TargetProperties.read(pid, Wire.DIR_PROPERTY);
        String loadedBy = TargetProperties.read(pid, Wire.ATTACH_PROPERTY);
        // another attach won the race (both found no agent before loading): the target kept the first and said one line
        if (dir != null && !TargetProperties.unknown(dir) && loadedBy != null && !TargetProperties.unknown(loadedBy)
                && !loadedBy.equals(attachId)) throw alreadyLoaded(dir);
        if (dir == null) {
            // the agent class that ran is not this one: an older threadleak already loaded there ignores a second load
            throw new UsageException("attach: process " + pid + " did not start the agent (an older threadleak already loaded"
                    + " there ignores a second load; see the process's stderr)");
        }
        boolean known = true;
        if (TargetProperties.unknown(dir)) {
            known = options.startsWith("dir=") || options.contains(",dir=");
            dir = known ? Options.parse(options).dir().toString() : null;
        }
        if (format == Output.TEXT) {
            main.out.println("threadleak: attached to process " + pid + "; dumps go to " + (known ? dir : DEFAULT_DIR));
            return Main.OK;
        }
        try (JsonGenerator g = Output.json(main.out, true)) {
            g.writeStartObject();
            g.writeStringField("format", ATTACH_FORMAT);
            g.writeNumberField("pid", Long.parseLong(pid));
            if (known) g.writeStringField("dir", dir); // else the target's default, which this JVM cannot see
            g.writeEndObject();
        } catch (IOException e) {
            throw new UsageException("attach: cannot write to standard output: " + e.getMessage());
        }
        main.out.println();
        return Main.OK;
    }

    private UsageException alreadyLoaded(String dir) {
        return new UsageException("attach: process " + pid + " already has the threadleak agent (dumps go to " + dir + "); not attached again");
    }
}
