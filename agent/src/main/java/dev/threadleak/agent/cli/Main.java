package dev.threadleak.agent.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line: {@code java -jar threadleak-agent.jar <command> ...}, parsed by picocli (relocated in the
 * jar). Exit codes: 0 done, 1 leak or growth found (where a command says so), 2 bad usage or bad input, always
 * one line on stderr saying what is wrong, never a stack trace.
 */
@Command(name = "threadleak", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        synopsisSubcommandLabel = "<command>",
        description = "Which threads are leaking, since when, and which line started them.",
        subcommands = {ReportCommand.class, HtmlCommand.class, CheckCommand.class, DiffCommand.class, WatchCommand.class, ListCommand.class,
                DumpCommand.class, ProveCommand.class, AttachCommand.class, CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 done, 1 leak or growth found (check, diff, watch), 2 bad usage or input.",
                "Example: threadleak report /var/tmp/tl"})
public final class Main implements Callable<Integer> {
    /** Exit codes every command shares. */
    static final int OK = 0, FOUND = 1, BAD_INPUT = 2;

    /** A problem with the command line or its input: one line for the user, exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    final PrintStream out;
    final PrintStream err;

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, out, err);
        out.flush();
        System.exit(code);
    }

    /**
     * Runs one command line, writing to {@code out} and {@code err} (UTF-8 streams, as {@link #main} makes them;
     * picocli's help and messages are encoded so too); returns the exit code. Never throws.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new Main(out, err));
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpWidth(100);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("threadleak: " + prefix(e.getCommandLine()) + describe(e));
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof UsageException) {
                err.println("threadleak: " + e.getMessage());
            } else {
                // a bug of ours, never a verdict: exit 2, so that `check` users do not read it as "findings"
                err.println("threadleak: internal error: " + e + " (please report it with the dump)");
            }
            return BAD_INPUT;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands exceptions to the handler above; errors come through
            err.println("threadleak: out of memory (" + e.getMessage() + "): the dump is too large for this heap; give the CLI more with -Xmx");
            return BAD_INPUT;
        }
    }

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("no command given (try: threadleak help)");
    }

    /** {@code report: } for a subcommand's error, nothing for the top level. */
    private static String prefix(CommandLine command) {
        return command.getParent() == null ? "" : command.getCommandName() + ": ";
    }

    /** picocli's message made one line in the house style, with its typo suggestions. */
    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            // picocli suggests anything close; a suggestion that does not even start like the typo misleads
            List<String> suggestions = u.getSuggestions().stream().filter(c -> firstLetter(c) == firstLetter(arg)).toList();
            boolean command = e.getCommandLine().getParent() == null && !arg.startsWith("-");
            String what = arg.startsWith("-") ? "unknown option '" + arg + "'"
                    : command ? "unknown command '" + arg + "'" : "unexpected argument '" + arg + "'";
            String hint = !suggestions.isEmpty() ? " (did you mean " + String.join(" or ", suggestions) + "?)"
                    : command ? " (commands: " + String.join(", ", e.getCommandLine().getSubcommands().keySet()) + ")" : "";
            return what + hint;
        }
        String message = e.getMessage().replaceAll("\\s+", " ").trim();
        return message.isEmpty() ? "bad usage" : message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }

    private static char firstLetter(String word) {
        String bare = word.replaceFirst("^-+", "");
        return bare.isEmpty() ? 0 : Character.toLowerCase(bare.charAt(0));
    }

    /**
     * {@code threadleak <version> (commit <commit>)}: the jar manifest's Implementation-Version and Build-Commit, both
     * written by the build; {@code commit unknown} for a jar built without git. Read only when asked for.
     */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Manifest manifest = ownManifest();
            if (manifest == null) return new String[] {"threadleak (built from source, no jar manifest)"};
            Attributes main = manifest.getMainAttributes();
            String commit = main.getValue("Build-Commit");
            return new String[] {"threadleak " + main.getValue(Attributes.Name.IMPLEMENTATION_VERSION) + " (commit "
                    + (commit != null && commit.matches("[0-9a-f]{7,40}") ? commit : "unknown") + ")"};
        }

        /** The manifest of the jar this class was loaded from; null when it was not loaded from a jar. */
        private static Manifest ownManifest() {
            try {
                CodeSource source = Main.class.getProtectionDomain().getCodeSource();
                if (source == null) return null;
                Path location = Path.of(source.getLocation().toURI());
                if (!Files.isRegularFile(location)) return null;
                try (JarFile jar = new JarFile(location.toFile())) {
                    return jar.getManifest();
                }
            } catch (IOException | URISyntaxException | IllegalArgumentException e) {
                return null;
            }
        }
    }
}
