package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Snapshot;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Where services really run (docs/where-services-run.md): the agent through {@code JAVA_TOOL_OPTIONS}, and in a
 * runtime jlinked with exactly the modules that page lists, on JDK 17 and 25. One runtime is linked per JDK and shared
 * by the class's tests (jlink takes seconds); a runtime missing a module is that runtime under {@code --limit-modules}.
 */
class RuntimesIT {
    private static final String SAMPLE = "dev.threadleak.samples.ExecutorPerRequest";
    private static final Path PAGE = Path.of("..", "docs", "where-services-run.md");

    /** Runtimes linked so far, by feature release; in the class's @TempDir. */
    private static final Map<Integer, Jdk> LINKED = new HashMap<>();
    @TempDir
    static Path runtimes;

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    private static String leakLine() throws IOException {
        return "ExecutorPerRequest.java:" + ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:") + ")";
    }

    /** The newest dump in {@code dir} holds live pool workers placed at the sample's leaking line. */
    private static void assertDumpNamesTheLeak(Path dir) throws Exception {
        Snapshot dump = ChildJvm.newestDump(dir);
        assertThat(ChildJvm.liveAt(dump, leakLine())).as("live workers of pools built at %s", leakLine()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void javaToolOptionsLoadTheAgentAndOnlyTheJvmSaysSo(Jdk jdk, @TempDir Path dir) throws Exception {
        String agent = ChildJvm.agent("dir=" + dir);
        try (ChildJvm child = ChildJvm.start(Map.of("JAVA_TOOL_OPTIONS", agent), List.of(), jdk, List.of("-cp", ChildJvm.SAMPLES_CP), SAMPLE, "2")) {
            assertThat(child.waitFor()).as("stderr: %s", child.stderr()).isZero();
            assertThat(ChildJvm.lines(child.stderr())).containsExactly("Picked up JAVA_TOOL_OPTIONS: " + agent);
            assertThat(ChildJvm.lines(child.stdout())).hasSize(1).allMatch(l -> l.startsWith("ExecutorPerRequest: one request every 100 ms"));
        }
        assertDumpNamesTheLeak(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRuntimeLinkedWithTheListedModulesDumpsAndServesTheLeakSilently(Jdk jdk, @TempDir Path dir) throws Exception {
        Jdk linked = linked(jdk);
        int port = HttpIT.freePort();
        try (ChildJvm child = ChildJvm.start(linked, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,http=" + port), "-cp", ChildJvm.SAMPLES_CP), SAMPLE, "30")) {
            String leakLine = leakLine();
            AtomicReference<HttpResponse<String>> page = new AtomicReference<>();
            ChildJvm.await("/debug/threads naming the leaking line", Duration.ofSeconds(30), () -> {
                page.set(HttpIT.getOrNull("http://127.0.0.1:" + port + "/debug/threads"));
                return page.get() != null && page.get().body().contains(leakLine);
            });
            assertThat(page.get().statusCode()).isEqualTo(200);
            assertThat(child.stop()).as("stderr: %s", child.stderr()).isEqualTo(143); // SIGTERM, as a container stops: the exit dump
            assertThat(child.stderr()).isEmpty();
        }
        assertDumpNamesTheLeak(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutJdkManagementOneLineOnceAndStillDumps(Jdk jdk, @TempDir Path dir) throws Exception {
        Jdk linked = linked(jdk);
        try (ChildJvm child = ChildJvm.start(linked, List.of("--limit-modules", "java.instrument,java.management",
                ChildJvm.agent("dir=" + dir + ",interval=1s"), "-cp", ChildJvm.SAMPLES_CP), SAMPLE, "3")) {
            assertThat(child.waitFor()).as("stderr: %s", child.stderr()).isZero();
            assertThat(ChildJvm.lines(child.stderr())).containsExactly("[threadleak] reading -Xss needs module jdk.management, absent from this runtime ("
                    + home(linked) + "): stackReserved counts 1 MiB per platform thread");
        }
        assertThat(ChildJvm.dumps(dir)).as("periodic dumps and the exit dump, after the line").hasSizeGreaterThanOrEqualTo(2);
        assertDumpNamesTheLeak(dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutJavaManagementOneLineOnceAndTheApplicationRunsOn(Jdk jdk, @TempDir Path dir) throws Exception {
        Jdk linked = linked(jdk);
        // 2 s: the agent's set-up (after its quiet second) fails, is tried again at exit, and says so once
        try (ChildJvm child = ChildJvm.start(linked, List.of("--limit-modules", "java.instrument",
                ChildJvm.agent("dir=" + dir + ",interval=1s"), "-cp", ChildJvm.SAMPLES_CP), SAMPLE, "2")) {
            assertThat(child.waitFor()).as("stderr: %s", child.stderr()).isZero();
            assertThat(ChildJvm.lines(child.stderr())).containsExactly("[threadleak] sampling needs module java.management, absent from this runtime ("
                    + home(linked) + "): no dumps, JMX bean or HTTP endpoint");
            assertThat(child.stdout()).startsWith("ExecutorPerRequest: one request every 100 ms");
        }
        assertThat(ChildJvm.dumps(dir)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theCliInTheAgentsRuntimeSaysListNeedsJdkAttach(Jdk jdk) throws Exception {
        Jdk linked = linked(jdk);
        ChildJvm.Finished list = ChildJvm.run(linked, List.of("-jar", ChildJvm.AGENT_JAR.toString()), "list");
        assertThat(list.exitCode()).isEqualTo(2);
        assertThat(list.stdout()).isEmpty();
        assertThat(ChildJvm.lines(list.stderr())).containsExactly("threadleak: list needs module jdk.attach, absent from this runtime ("
                + home(linked) + "): run it with a full JDK's java (report, check, diff and watch need java.base only)");
    }

    private static Path jlink(Jdk jdk) {
        return home(jdk).resolve("bin").resolve("jlink");
    }

    private static Path home(Jdk jdk) {
        return jdk.java().getParent().getParent();
    }

    /**
     * The runtime of {@code jdk} linked by the page's own {@code jlink} line, linked once. Both JDKs' runtimes are
     * linked at the first call, at once: each jlink waits on disk as much as on a core.
     */
    private static synchronized Jdk linked(Jdk jdk) throws Exception {
        if (LINKED.isEmpty()) {
            List<String> line = jlinkLine();
            Map<Jdk, Process> running = new HashMap<>();
            for (Jdk each : ChildJvm.jdks()) {
                assumeTrue(Files.isExecutable(jlink(each)), "no jlink in " + home(each) + " (a JRE)");
            }
            for (Jdk each : ChildJvm.jdks()) {
                List<String> cmd = new ArrayList<>(List.of(jlink(each).toString()));
                cmd.addAll(line);
                cmd.add(runtimes.resolve("jdk" + each.feature()).toString());
                running.put(each, new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(runtimes.resolve("jlink-" + each.feature() + ".log").toFile()).start());
            }
            for (Map.Entry<Jdk, Process> e : running.entrySet()) {
                Process p = e.getValue();
                boolean done = p.waitFor(120, TimeUnit.SECONDS);
                if (!done) p.destroyForcibly().waitFor();
                assertThat(done).as("jlink of %s done within 120 s", e.getKey()).isTrue();
                Path out = runtimes.resolve("jdk" + e.getKey().feature());
                assertThat(p.exitValue()).as("jlink of %s: %s", e.getKey(), Files.readString(runtimes.resolve("jlink-" + e.getKey().feature() + ".log"))).isZero();
                LINKED.put(e.getKey().feature(), new Jdk(out.resolve("bin").resolve("java"), e.getKey().feature()));
            }
        }
        return LINKED.get(jdk.feature());
    }

    /** The arguments of the page's {@code jlink --add-modules ...} line up to its {@code --output}: what README tells users to run. */
    private static List<String> jlinkLine() throws IOException {
        List<String> lines = Files.readAllLines(PAGE).stream().filter(l -> l.startsWith("jlink --add-modules ")).toList();
        assertThat(lines).as("the jlink line of %s", PAGE).hasSize(1);
        List<String> words = new ArrayList<>(Arrays.asList(lines.get(0).trim().split("\\s+")));
        assertThat(words).as("the jlink line").endsWith("--output", "/opt/jre");
        return words.subList(1, words.size() - 1); // without "jlink" and the page's directory; "--output" stays
    }
}
