package dev.threadleak.agent.cli;

import dev.threadleak.agent.Agent;
import dev.threadleak.agent.Options;
import dev.threadleak.agent.expose.DumpFiles;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * The command line: {@code java -jar threadleak-agent.jar <command> ...}. Exit codes: 0 done, 1 findings
 * ({@code check}), 2 bad usage or bad input (always one line on stderr saying what is wrong).
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: threadleak <command> [options]",
            "commands:",
            "  report [--threads] <dump.json|dir>   findings, then live threads grouped by creation site (newest",
            "                                        dump of a dir); --threads: every thread in jstack layout",
            "  check <dump.json|dir>                 the findings; exit 0 when there are none, 1 when there are",
            "  attach <pid> [options]                load the agent into a running JVM (options as for -javaagent)",
            "  help                                  this text");

    /** A problem with the command line or its input: one line for the user, exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int code = run(args, out);
        out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out) {
        try {
            if (args.length == 0) throw new UsageException("no command given (try: threadleak help)");
            List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
            switch (args[0]) {
                case "report" -> report(rest, out);
                case "attach" -> attach(rest, out);
                case "check" -> {
                    return check(rest, out);
                }
                case "help", "--help", "-h" -> out.println(USAGE);
                default -> throw new UsageException("unknown command '" + args[0] + "' (commands: report, check, attach, help)");
            }
            return 0;
        } catch (UsageException e) {
            System.err.println("threadleak: " + e.getMessage());
            return 2;
        } catch (OutOfMemoryError e) {
            System.err.println("threadleak: out of memory (" + e.getMessage() + "): the dump is too large for this heap; give the CLI more with -Xmx");
            return 2;
        } catch (RuntimeException e) {
            // a bug of ours, never a verdict: exit 2, so that `check` users do not read it as "findings"
            System.err.println("threadleak: internal error: " + e + " (please report it with the dump)");
            return 2;
        }
    }

    private static void report(List<String> args, PrintStream out) throws UsageException {
        boolean threads = args.remove("--threads");
        for (String a : args) {
            if (a.startsWith("-")) throw new UsageException("report: unknown option '" + a + "' (options: --threads)");
        }
        if (args.size() != 1) throw new UsageException("report: expected one dump file or directory, got " + args.size());
        Dump dump = resolve(Path.of(args.get(0)));
        TextReport report = new TextReport(dump.snapshot(), out);
        report.header(dump.file().toString());
        if (threads) {
            report.threads();
        } else {
            report.findings();
            report.groups();
        }
    }

    /** Exit 0 when the dump has no findings, 1 when it has: for cron jobs, CI and alert scripts. */
    private static int check(List<String> args, PrintStream out) throws UsageException {
        for (String a : args) {
            if (a.startsWith("-")) throw new UsageException("check: unknown option '" + a + "'");
        }
        if (args.size() != 1) throw new UsageException("check: expected one dump file or directory, got " + args.size());
        Dump dump = resolve(Path.of(args.get(0)));
        Snapshot snapshot = dump.snapshot();
        TextReport report = new TextReport(snapshot, out);
        report.header(dump.file().toString());
        report.findings();
        return snapshot.findings().isEmpty() ? 0 : 1;
    }

    /**
     * Loads this jar as an agent into a running JVM. Options are checked here first, so a bad one is one line
     * and exit 2 with the target untouched (the attach API would only say the agent failed to start). A
     * relative {@code dir} is made absolute here, where it was meant; without {@code dir} the target picks its
     * default, and the directory announced is the one the target reports. A target that has the agent already
     * is left alone: one line, exit 2.
     */
    private static void attach(List<String> args, PrintStream out) throws UsageException {
        if (args.isEmpty() || args.size() > 2) throw new UsageException("attach: expected a process id and, optionally, agent options");
        String pid = args.get(0);
        if (!pid.matches("\\d{1,10}")) throw new UsageException("attach: '" + pid + "' is not a process id");
        String options;
        try {
            options = Options.forTarget(args.size() == 2 ? args.get(1) : "");
        } catch (Options.BadOption e) {
            throw new UsageException(e.getMessage());
        }
        String already = TargetProperties.read(pid, Agent.DIR_PROPERTY);
        if (already != null && already != TargetProperties.UNKNOWN) {
            throw new UsageException("attach: process " + pid + " already has the threadleak agent (dumps go to " + already + "); not attached again");
        }
        try {
            File jar = new File(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            ByteBuddyAgent.attach(jar, pid, options);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            String dir = TargetProperties.read(pid, Agent.DIR_PROPERTY);
            if (dir != null && dir != TargetProperties.UNKNOWN) {
                // loaded meanwhile by someone else: the target refused the second load
                throw new UsageException("attach: process " + pid + " already has the threadleak agent (dumps go to " + dir + "); not attached again");
            }
            throw new UsageException("attach: cannot attach to process " + pid + ": " + root);
        }
        String dir = TargetProperties.read(pid, Agent.DIR_PROPERTY);
        if (dir == null) {
            // the agent class that ran is not this one: an older threadleak already loaded there ignores a second load
            throw new UsageException("attach: process " + pid + " did not start the agent (an older threadleak already loaded"
                    + " there ignores a second load; see the process's stderr)");
        }
        if (dir == TargetProperties.UNKNOWN) {
            Options parsed = Options.parse(options);
            dir = (options.startsWith("dir=") || options.contains(",dir=")) ? parsed.dir().toString() : "the target's default directory (its ${java.io.tmpdir}/threadleak-<user.name>)";
        }
        out.println("threadleak: attached to process " + pid + "; dumps go to " + dir);
    }

    /**
     * A dump file as given, or the newest dump of a directory: the newest by the time the dump itself says it
     * was taken, among the files that read as dumps (a file's name proves nothing). Only regular files are
     * read: a FIFO or device named like a dump would block or never end.
     */
    static Dump resolve(Path given) throws UsageException {
        if (!Files.exists(given)) throw new UsageException(given + ": no such file or directory");
        if (!Files.isDirectory(given)) {
            if (!Files.isRegularFile(given)) throw new UsageException(given + ": not a regular file or directory");
            return new Dump(given, load(given));
        }
        List<Path> candidates, named;
        try {
            named = DumpFiles.dumps(given);
            candidates = DumpFiles.newestFirst(given);
        } catch (IOException e) {
            throw new UsageException(given + ": cannot list directory: " + e.getMessage());
        }
        UsageException first = null;
        for (Path p : candidates) {
            try {
                return new Dump(p, load(p));
            } catch (UsageException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw new UsageException(given + ": no readable threadleak dump in this directory (newest: " + first.getMessage() + ")");
        if (!named.isEmpty()) {
            throw new UsageException(given + ": no readable threadleak dump in this directory (" + named.size() + " file"
                    + (named.size() == 1 ? " named like a dump does not start" : "s named like dumps do not start") + " like one)");
        }
        throw new UsageException(given + ": no threadleak dumps in this directory");
    }

    /** A dump file and what it holds. */
    record Dump(Path file, Snapshot snapshot) {}

    static Snapshot load(Path file) throws UsageException {
        if (!Files.isRegularFile(file)) throw new UsageException(file + ": not a regular file");
        try (InputStream in = Files.newInputStream(file)) {
            return SnapshotCodec.read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        } catch (DumpFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
