package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent adds nothing to what the application prints. A JVM that ends within a second with no thread it
 * started still alive leaves no dump (nothing to report, and the dump would cost more than its whole run); one
 * whose threads still run leaves one exit dump behind.
 */
class AgentOutputIT {
    private static final String HELLO = "dev.threadleak.samples.Hello";
    private static final String START_PATHS = "dev.threadleak.agent.it.apps.StartPaths";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void helloWorldPrintsOnlyItsOwnOutputAndLeavesNoDump(Jdk jdk, @TempDir Path tmp) throws Exception {
        // java.io.tmpdir points the default dump directory (<tmpdir>/threadleak-<user>) into this test's own folder
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent(""), "-Djava.io.tmpdir=" + tmp), "-cp", ChildJvm.SAMPLES_CP, HELLO);
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("hello\n");
        assertThat(run.exitCode()).isZero();
        assertThat(ChildJvm.dumps(tmp.resolve("threadleak-" + System.getProperty("user.name")))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aShortJvmWhoseThreadsAllEndedLeavesNoDump(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0")), "-cp", ChildJvm.TEST_CP,
                "dev.threadleak.agent.it.apps.ManySites", "10");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("started 10\n");
        assertThat(run.exitCode()).isZero();
        assertThat(ChildJvm.dumps(dir)).as("10 threads started and joined: nothing leaked").isEmpty();
    }

    /**
     * In its quiet first second the agent's thread does nothing unless a burst of starts wakes it, so a JVM that is
     * still starting (or a short one) shares no CPU with it: in a 300 ms run it loads not even the sampler. Measured
     * from the agent's own start, not the JVM's end: however slow the machine, no class of the sampler is loaded
     * within a second of the agent's class.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void inItsQuietFirstSecondTheAgentThreadDoesNothing(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of("-Xlog:class+load=info:stdout:uptime", ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ShortRun", "300");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines).as("the main class ran").anyMatch(l -> l.contains(" dev.threadleak.agent.it.apps.ShortRun "));
        assertThat(lines).contains("done");
        // the quiet second begins after the agent's class is loaded; the thread's first work after it, listing the
        // threads that predate the agent, loads the sampler's classes at once
        long agentLoaded = agentLoadedMillis(lines);
        assertThat(lines).as("classes of the sampler loaded within a second of the agent's (at %d ms)", agentLoaded)
                .filteredOn(l -> l.contains(" dev.threadleak.agent.sample."))
                .allMatch(l -> uptimeMillis(l) - agentLoaded >= 999); // each uptime is rounded to the millisecond
    }

    /**
     * A record's own equals and hashCode are bootstrapped through {@code ObjectMethods} on first use: about 50 ms of
     * method-handle spinning, a third of what a hello world costs. A JVM that starts one thread and exits at once
     * drains that start (the registry keys sites by stack) and writes an exit dump (which keys its stack table by
     * frame): neither may spin it. Before: both did, and the one-thread hello world cost 1.6x the empty agent.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmThatStartsOneThreadBootstrapsNoRecordMethods(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of("-Xlog:class+load=info:stdout", ChildJvm.agent("dir=" + dir)),
                "-cp", ChildJvm.TEST_CP, START_PATHS, "plainThread");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).contains("started plainThread");
        assertThat(ChildJvm.dumps(dir)).as("the exit dump, with the started thread's stack").hasSize(1);
        assertThat(run.stdout().lines()).noneMatch(l -> l.contains(" java.lang.runtime.ObjectMethods "));
    }

    /**
     * A dump of more threads than it lists ({@code threads}) picks those it keeps without comparing entries: a record's
     * equals and hashCode would compare whole stacks, and be bootstrapped through {@code ObjectMethods}. Before: every
     * such dump hashed each kept entry deeply, and the JIT was still recompiling that path minutes into a JVM of
     * 10,000 threads (the default {@code threads} is 10,000).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aDumpOfMoreThreadsThanItListsComparesNoEntries(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of("-Xlog:class+load=info:stdout", ChildJvm.agent("dir=" + dir + ",threads=100")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ManyParked", "150");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout().lines()).contains("parked 150");
        assertThat(ChildJvm.newestDump(dir).threads()).as("the exit dump lists as many as it may").hasSize(100);
        assertThat(run.stdout().lines()).noneMatch(l -> l.contains(" java.lang.runtime.ObjectMethods "));
    }

    /**
     * A short JVM whose threads have all ended has nothing to report at its exit, and finds that out from the records as
     * they are: decoding the first creation stack (its frames, their modules, the blame) cost such a JVM about 10 ms, a
     * twentieth of a hello world's whole run.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aShortJvmWhoseThreadsEndedDecodesNoCreationStackAtItsExit(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        // a JVM that outlives the agent's quiet first second gets its exit dump, rightly: only a short one is asked about
        List<String> lines = shortHelloClassLoads(jdk, dir, "thread");
        assertThat(ChildJvm.dumps(dir)).as("nothing to report").isEmpty();
        assertThat(lines).noneMatch(l -> l.contains(" dev.threadleak.agent.registry.Backtrace "));
    }

    /**
     * A JVM that starts no thread pays for no record: the agent's own threads start before the hooks are in (premain
     * captures no stack of theirs), the exit dump's start goes unrecorded, the site table is made on the first drain and
     * the hooks' paths are warmed up at the drain thread's first wake, after the quiet second. Before: premain recorded
     * and captured its own two threads and made the site table and its blame, and the drain thread warmed the hooks up
     * beside the application's start, about 8 ms of a hello world's CPU.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aShortJvmThatStartsNoThreadLoadsNoRecordNorSiteTable(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        List<String> lines = shortHelloClassLoads(jdk, dir);
        assertThat(lines).as("the hooks are in").anyMatch(l -> l.contains(" java.lang.ThreadLeakHook "));
        assertThat(lines).noneMatch(l -> l.contains(" dev.threadleak.agent.registry.ThreadRecord ")
                || l.contains(" dev.threadleak.agent.registry.SiteTable ") || l.contains(" dev.threadleak.agent.registry.Blame ")
                || l.contains(" dev.threadleak.agent.registry.ExecutorRecord "));
        assertThat(ChildJvm.dumps(dir)).as("nothing to report").isEmpty();
    }

    /**
     * The class loads (with uptimes) and output of the hello world under the agent, {@code args} its arguments; assumes
     * (skips the test otherwise) that it ended within the agent's quiet second, as it does on a machine not loaded.
     */
    private static List<String> shortHelloClassLoads(Jdk jdk, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.Hello"));
        command.addAll(List.of(args));
        Finished run = ChildJvm.run(jdk, List.of("-Xlog:class+load=info:stdout:uptime", ChildJvm.agent("dir=" + dir)),
                command.toArray(new String[0]));
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        List<String> lines = run.stdout().lines().toList();
        assertThat(lines).as("it ran").contains("hello");
        long agentLoaded = agentLoadedMillis(lines);
        long lastLoad = uptimeMillis(lines.stream().filter(l -> l.startsWith("[")).reduce((a, b) -> b).orElseThrow());
        assumeTrue(lastLoad - agentLoaded < 900, "the JVM ran past the quiet second (a loaded machine)");
        return lines;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutOptionsTheExitDumpGoesToTmpThreadleak(Jdk jdk, @TempDir Path tmp) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent(""), "-Djava.io.tmpdir=" + tmp), "-cp", ChildJvm.TEST_CP, START_PATHS, "plainThread");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("started plainThread\n");
        assertThat(run.exitCode()).isZero();
        assertOneExitDump(tmp.resolve("threadleak-" + System.getProperty("user.name")), run, jdk);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withOptionsTheAppPrintsOnlyItsOwnOutputAndTheExitDumpGoesToDir(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=1s")), "-cp", ChildJvm.TEST_CP, START_PATHS, "plainThread");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("started plainThread\n");
        assertThat(run.exitCode()).isZero();
        assertOneExitDump(dir, run, jdk);
    }

    /**
     * On a JDK whose class files are newer than the ASM inside the agent reads (faked: the agent pretends
     * Thread.class has version 255 and lets ASM judge), one line says so and the application runs as if
     * unhooked, its own output untouched.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void onAJdkNewerThanItsAsmTheAgentSaysOneLineAndTheAppRunsUnhooked(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0"), "-Dthreadleak.test.classFileVersion=255"),
                "-cp", ChildJvm.TEST_CP, START_PATHS, "plainThread");
        assertThat(run.stdout()).isEqualTo("started plainThread\n");
        assertThat(run.exitCode()).isZero();
        assertThat(ChildJvm.lines(run.stderr())).containsExactly("[threadleak] JDK " + jdk.feature() + " (class file version 255) is newer than"
                + " this threadleak can hook: the application runs without the agent's hooks (no creation sites, no executor data);"
                + " a newer threadleak supports it");
    }

    /** The JVM's uptime at a log line, in milliseconds: {@code -Xlog:...:uptime} starts each line with {@code [0.123s]}. */
    /** The uptime at which the agent's class was loaded, from a {@code -Xlog:class+load::uptime} log. */
    private static long agentLoadedMillis(List<String> lines) {
        return uptimeMillis(lines.stream().filter(l -> l.contains(" dev.threadleak.agent.Agent ")).findFirst()
                .orElseThrow(() -> new AssertionError("no class load of the agent in:\n" + String.join("\n", lines))));
    }

    private static long uptimeMillis(String line) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\[([0-9.]+)s\\]").matcher(line);
        if (!m.find()) throw new AssertionError("no uptime in: " + line);
        return Math.round(Double.parseDouble(m.group(1)) * 1000);
    }

    private static void assertOneExitDump(Path dir, Finished run, Jdk jdk) throws Exception {
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).as("dumps in %s", dir).hasSize(1);
        assertThat(dumps.get(0).getFileName().toString()).startsWith("threadleak-" + run.pid() + "-");
        Snapshot dump = ChildJvm.readDump(dumps.get(0));
        assertThat(dump.pid()).isEqualTo(run.pid());
        assertThat(dump.command()).isEqualTo(START_PATHS + " plainThread");
        assertThat(dump.javaVersion()).startsWith(String.valueOf(jdk.feature()));
        assertThat(dump.threads()).anyMatch(t -> t.name().equals("threadleak-exit-dump") && t.agentThread());
    }
}
