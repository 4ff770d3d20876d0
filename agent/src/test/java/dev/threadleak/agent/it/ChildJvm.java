package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A child JVM started the way a user would: a real {@code java} binary, the built agent jar, a real
 * program. Its output is captured in memory, so a test can read it while the child runs and nothing is left on disk.
 */
public final class ChildJvm implements AutoCloseable {
    /** The built agent jar (set by failsafe). */
    public static final Path AGENT_JAR = Path.of(required("threadleak.agentJar"));
    /** Class path of the samples module: its jar and its own dependencies. */
    public static final String SAMPLES_CP = required("threadleak.samplesClasspath");
    /**
     * Class path of these tests, for test programs under {@code dev.threadleak.agent.it.apps}; without the
     * agent's own compiled classes (target/classes), which would shadow the agent jar's: a child runs the jar's code.
     */
    public static final String TEST_CP = withoutAgentClasses(System.getProperty("java.class.path"));
    private static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);

    private final Process process;
    private final Output stdout;
    private final Output stderr;

    private ChildJvm(Process process) {
        this.process = process;
        this.stdout = new Output(process.getInputStream(), "stdout of " + process.pid());
        this.stderr = new Output(process.getErrorStream(), "stderr of " + process.pid());
    }

    /** The JDKs integration tests run on: JDK 17 and JDK 25. A missing JDK fails the test, never skips it. */
    public static List<Jdk> jdks() {
        List<Jdk> out = new ArrayList<>();
        for (String home : required("threadleak.jdks").split(java.io.File.pathSeparator)) {
            Path java = Path.of(home, "bin", "java");
            if (!Files.isExecutable(java)) fail("JDK for integration tests not found: " + java + " (set -Djdk25.home=...)");
            out.add(new Jdk(java, feature(java)));
        }
        return out;
    }

    /** A JDK by its java binary and feature release (17, 25, ...). */
    public record Jdk(Path java, int feature) {
        @Override
        public String toString() {
            return "JDK " + feature;
        }
    }

    /** Starts {@code java <jvmArgs> <mainAndArgs>} with the given JDK. */
    public static ChildJvm start(Jdk jdk, List<String> jvmArgs, String... mainAndArgs) throws IOException {
        return start(List.of(), jdk, jvmArgs, mainAndArgs);
    }

    /** Starts {@code <prefix> java <jvmArgs> <mainAndArgs>}: a prefix such as {@code unshare --pid} runs the JVM inside another command. */
    public static ChildJvm start(List<String> prefix, Jdk jdk, List<String> jvmArgs, String... mainAndArgs) throws IOException {
        return start(Map.of(), prefix, jdk, jvmArgs, mainAndArgs);
    }

    /** As {@link #start(List, Jdk, List, String...)}, with {@code env} added to this JVM's environment (e.g. {@code JAVA_TOOL_OPTIONS}). */
    public static ChildJvm start(Map<String, String> env, List<String> prefix, Jdk jdk, List<String> jvmArgs, String... mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(jdk.java().toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(Arrays.asList(mainAndArgs));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        return new ChildJvm(builder.start());
    }

    /** {@code -javaagent:<jar>=<options>} (no '=' part when options are empty). */
    public static String agent(String options) {
        return "-javaagent:" + AGENT_JAR + (options.isEmpty() ? "" : "=" + options);
    }

    /** Waits for the child to exit and returns its exit code; fails the test after the default deadline. */
    public int waitFor() throws InterruptedException {
        return waitFor(DEFAULT_DEADLINE);
    }

    /**
     * Waits for the child to exit and returns its exit code. After the deadline, fails the test with the child's
     * stderr and the end of its stdout, which then holds the child's threads (SIGQUIT): a hang shows where it hangs.
     */
    public int waitFor(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            printThreads();
            process.destroyForcibly();
            String out = stdout();
            fail("child JVM did not exit within " + deadline + "; stderr:\n" + stderr()
                    + "\nstdout's last 64 KiB, its threads at the deadline at the end:\n" + out.substring(Math.max(0, out.length() - 65_536)));
        }
        return process.exitValue();
    }

    /** Asks the child's JVM for its threads on its stdout (SIGQUIT) and waits until they are printed (10 s at most). */
    private void printThreads() throws InterruptedException {
        try {
            new ProcessBuilder("kill", "-QUIT", String.valueOf(pid())).start().waitFor();
            // the JVM ends its thread dump with the JNI references line
            await("the child's thread dump", Duration.ofSeconds(10), () -> stdout().contains("JNI global refs"));
        } catch (IOException | AssertionError unprinted) {
            // the failure says what the child printed, with or without its threads
        }
    }

    /** Stops the child as a service manager does (SIGTERM: shutdown hooks run) and returns its exit code (143). */
    public int stop() throws InterruptedException {
        process.destroy();
        return waitFor();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Starts a child, waits for it to exit and returns what it did; for children that end by themselves. */
    public static Finished run(Jdk jdk, List<String> jvmArgs, String... mainAndArgs) throws IOException, InterruptedException {
        return run(DEFAULT_DEADLINE, jdk, jvmArgs, mainAndArgs);
    }

    /** As {@link #run(Jdk, List, String...)}, for a child that may take longer than the default deadline. */
    public static Finished run(Duration deadline, Jdk jdk, List<String> jvmArgs, String... mainAndArgs) throws IOException, InterruptedException {
        try (ChildJvm child = start(jdk, jvmArgs, mainAndArgs)) {
            int code = child.waitFor(deadline);
            return new Finished(code, child.stdout(), child.stderr(), child.pid());
        }
    }

    /** A child JVM that has exited: its exit code, output and process id. */
    public record Finished(int exitCode, String stdout, String stderr, long pid) {}

    /** The lines of some output, without line ends (none for empty output). */
    public static List<String> lines(String output) {
        return output.lines().toList();
    }

    /** What the child has printed on stdout so far; all of it once the child has exited. */
    public String stdout() {
        return stdout.text(process);
    }

    public String stderr() {
        return stderr.text(process);
    }

    /**
     * One output stream of a process, read as it comes by a thread of its own (a pipe nobody reads would stop the
     * child once full). Once the process has exited, {@link #text} waits for the reader to reach the end.
     */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread reader;

        Output(InputStream in, String name) {
            reader = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        synchronized (bytes) {
                            bytes.write(buffer, 0, n);
                        }
                    }
                } catch (IOException closed) {
                    // the process is gone and its pipe closed: what was read is all there is
                }
            }, "read " + name);
            reader.setDaemon(true);
            reader.start();
        }

        String text(Process process) {
            if (!process.isAlive()) {
                try {
                    reader.join(DEFAULT_DEADLINE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                // a process the child started may still hold the pipe open
                if (reader.isAlive()) fail(reader.getName() + ": not at its end " + DEFAULT_DEADLINE + " after the process exited");
            }
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * Kills the child if it still runs (SIGKILL: no shutdown hook, so no exit dump) and removes what a JVM removes
     * itself when it exits but leaves when killed: its attach socket ({@code /tmp/.java_pid<pid>}, made when a tool
     * attached) and its performance-data file ({@code /tmp/hsperfdata_<user>/<pid>}).
     */
    @Override
    public void close() {
        if (!process.isAlive()) return;
        process.destroyForcibly();
        try {
            if (!process.waitFor(DEFAULT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) fail("child JVM " + pid() + " not gone " + DEFAULT_DEADLINE + " after SIGKILL");
            Files.deleteIfExists(Path.of("/tmp", ".java_pid" + pid()));
            try (DirectoryStream<Path> perfData = Files.newDirectoryStream(Path.of("/tmp"), "hsperfdata_*")) {
                for (Path dir : perfData) Files.deleteIfExists(dir.resolve(String.valueOf(pid())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Polls until {@code condition} holds; fails with {@code what} after the deadline. No fixed sleeps. */
    public static void await(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) fail("timed out after " + deadline + " waiting for: " + what);
            Thread.sleep(20); // poll interval, not a timing assumption
        }
    }

    /** Runs {@code java -jar threadleak-agent.jar <args>} on the test's own JDK. */
    public static Result cli(String... args) throws IOException, InterruptedException {
        return cliIn(null, args);
    }

    /** As {@link #cli}, in working directory {@code cwd} (null: this JVM's). */
    public static Result cliIn(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", AGENT_JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).directory(cwd == null ? null : cwd.toFile()).start();
        Output out = new Output(p.getInputStream(), "stdout of the CLI"), err = new Output(p.getErrorStream(), "stderr of the CLI");
        if (!p.waitFor(DEFAULT_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("threadleak CLI did not exit: " + cmd);
        }
        return new Result(p.exitValue(), out.text(p), err.text(p));
    }

    /** Exit code and output of a finished command. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /** Dump files in {@code dir}, oldest first. */
    public static List<Path> dumps(Path dir) {
        try {
            return Files.isDirectory(dir) ? DumpDirectory.dumps(dir) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the newest dump in {@code dir} back into the model (the same reader the CLI uses). */
    public static Snapshot newestDump(Path dir) throws Exception {
        List<Path> all = dumps(dir);
        if (all.isEmpty()) fail("no dump in " + dir);
        return readDump(all.get(all.size() - 1));
    }

    /** Reads one dump file back into the model (the same reader the CLI uses), and checks the hook never failed. */
    public static Snapshot readDump(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return assertHookNeverFailed(SnapshotCodec.read(in, file.toString()));
        }
    }

    /** Every dump a test reads: the agent's hook swallowed no Throwable (a swallowed one is a bug of ours). */
    public static Snapshot assertHookNeverFailed(Snapshot dump) {
        assertThat(dump.summary().hookFailures()).as("Throwables the hook swallowed, first: %s", dump.summary().firstHookFailure()).isZero();
        return dump;
    }

    /** Live threads of the groups whose blame frame ends with {@code frameEnding} ({@code Foo.java:12)}), as the report counts them. */
    public static int liveAt(Snapshot s, String frameEnding) {
        return dev.threadleak.agent.snapshot.SiteGroup.of(s).stream()
                .filter(g -> g.site() != null && g.site().blameFrame().toString().endsWith(frameEnding))
                .mapToInt(g -> g.threads().size()).sum();
    }

    /** The 1-based line number of the first line of {@code sample} (a samples source file) containing {@code marker}. */
    public static int lineOf(String sourceFile, String marker) throws IOException {
        Path src = Path.of(required("threadleak.samplesSource"), sourceFile);
        List<String> lines = Files.readAllLines(src);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) return i + 1;
        }
        throw new AssertionError(marker + " not found in " + src);
    }

    /** The line of a test app ({@code it/apps}) that holds {@code marker}. */
    public static int appLineOf(String testApp, String marker) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/test/java/dev/threadleak/agent/it/apps", testApp));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) return i + 1;
        }
        throw new AssertionError(marker + " not found in " + testApp);
    }

    private static int feature(Path java) {
        try {
            Path release = java.getParent().getParent().resolve("release");
            try (Stream<String> lines = Files.lines(release)) {
                String v = lines.filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
                        .orElseThrow(() -> new AssertionError("no JAVA_VERSION in " + release))
                        .replaceAll("JAVA_VERSION=\"?([0-9]+).*", "$1");
                return Integer.parseInt(v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutAgentClasses(String classPath) {
        Path classes = Path.of("target", "classes").toAbsolutePath();
        List<String> kept = new ArrayList<>();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (!Path.of(entry).toAbsolutePath().normalize().equals(classes.normalize())) kept.add(entry);
        }
        return String.join(java.io.File.pathSeparator, kept);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) throw new IllegalStateException("system property " + property + " is not set (run through mvn verify)");
        return v;
    }
}
