package dev.threadleak.agent.cli;

import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.snapshot.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** The local JVMs of this user, one line each: pid, main class or jar, uptime, whether threadleak is loaded and where its dumps go. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "Lists the running JVMs of this user and whether threadleak is loaded.", description = "Lists the running JVMs of this user: pid, main class or jar, uptime, whether threadleak is loaded, its dump directory.",
        footer = {"", "Example:", "  threadleak list"})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Override
    public Integer call() throws Main.UsageException {
        Jvms.require("list", RuntimeModules.ATTACH);
        main.out.println(String.format(Locale.ROOT, "%-8s %-9s %-40s %s", "PID", "UPTIME", "MAIN", "THREADLEAK"));
        for (Jvms.Jvm d : Jvms.list()) {
            String uptime = ProcessHandle.of(Long.parseLong(d.pid())).flatMap(p -> p.info().startInstant())
                    .map(start -> Durations.human(Duration.between(start, Instant.now()).toMillis())).orElse("?");
            String mainClass = d.displayName().isEmpty() ? "?" : d.displayName().split(" ", 2)[0];
            main.out.println(String.format(Locale.ROOT, "%-8s %-9s %-40s %s", d.pid(), uptime, mainClass, threadleak(d)));
        }
        return Main.OK;
    }

    /** {@code loaded, dumps in DIR[, http on HOST:PORT]}, {@code not loaded}, or {@code unknown}. */
    private static String threadleak(Jvms.Jvm d) {
        Properties props = TargetProperties.readAll(d.pid());
        if (props == null) return "unknown (its properties cannot be read)";
        String dir = props.getProperty(Wire.DIR_PROPERTY), http = props.getProperty(Wire.HTTP_PROPERTY);
        return dir == null ? "not loaded" : "loaded, dumps in " + dir + (http == null ? "" : ", http on " + http);
    }
}
