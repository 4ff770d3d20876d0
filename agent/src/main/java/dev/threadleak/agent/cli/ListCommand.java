package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.snapshot.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** The local JVMs of this user, one line each: pid, main class or jar, uptime, whether threadleak is loaded and where its dumps go. */
@Command(name = "list", mixinStandardHelpOptions = true, header = "Lists the running JVMs of this user and whether threadleak is loaded.", description = "Lists the running JVMs of this user: pid, main class or jar, uptime, whether threadleak is loaded, its dump directory.",
        footer = {"", "Examples:", "  threadleak list", "  threadleak list --format json | jq '.jvms[] | select(.threadleak == \"loaded\") | .http'"})
final class ListCommand implements Callable<Integer> {
    static final String LIST_FORMAT = "threadleak-list/1";

    @ParentCommand
    private Main main;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text; json: " + LIST_FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    @Override
    public Integer call() throws Main.UsageException {
        Jvms.require("list", RuntimeModules.ATTACH);
        if (format == Output.TEXT) main.out.println(String.format(Locale.ROOT, "%-8s %-9s %-40s %s", "PID", "UPTIME", "MAIN", "THREADLEAK"));
        List<Entry> jvms = new ArrayList<>();
        for (Jvms.Jvm d : Jvms.list()) {
            Long startedAtMs = ProcessHandle.of(Long.parseLong(d.pid())).flatMap(p -> p.info().startInstant()).map(Instant::toEpochMilli).orElse(null);
            Entry e = new Entry(d.pid(), startedAtMs, d.displayName().isEmpty() ? "?" : d.displayName().split(" ", 2)[0], TargetProperties.readAll(d.pid()));
            if (format == Output.TEXT) {
                String uptime = startedAtMs == null ? "?" : Durations.human(System.currentTimeMillis() - startedAtMs);
                main.out.println(String.format(Locale.ROOT, "%-8s %-9s %-40s %s", e.pid(), uptime, e.main(), e.threadleak()));
            }
            jvms.add(e);
        }
        if (format == Output.JSON) json(jvms);
        return Main.OK;
    }

    /** A JVM listed: its properties are null when they cannot be read. */
    private record Entry(String pid, Long startedAtMs, String main, Properties props) {
        /** {@code loaded, dumps in DIR[, http on HOST:PORT]}, {@code not loaded}, or {@code unknown}. */
        String threadleak() {
            if (props == null) return "unknown (its properties cannot be read)";
            return dir() == null ? "not loaded" : "loaded, dumps in " + dir() + (http() == null ? "" : ", http on " + http());
        }

        /** The agent's dump directory, or null when it is not loaded (or the properties cannot be read). */
        String dir() {
            return props == null ? null : props.getProperty(Wire.DIR_PROPERTY);
        }

        /** Where its endpoint serves, or null. */
        String http() {
            return props == null ? null : props.getProperty(Wire.HTTP_PROPERTY);
        }
    }

    private void json(List<Entry> jvms) throws Main.UsageException {
        try (JsonGenerator g = Output.json(main.out, true)) {
            g.writeStartObject();
            g.writeStringField("format", LIST_FORMAT);
            g.writeArrayFieldStart("jvms");
            for (Entry e : jvms) {
                g.writeStartObject();
                g.writeNumberField("pid", Long.parseLong(e.pid()));
                if (e.startedAtMs() != null) g.writeNumberField("startedAtMs", e.startedAtMs());
                g.writeStringField("main", e.main());
                g.writeStringField("threadleak", e.props() == null ? "unknown" : e.dir() == null ? "not loaded" : "loaded");
                if (e.dir() != null) g.writeStringField("dir", e.dir());
                if (e.http() != null) g.writeStringField("http", e.http());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (java.io.IOException ex) {
            throw new Main.UsageException("list: cannot write to standard output: " + ex.getMessage());
        }
        main.out.println();
    }
}
