package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JVMs that never ran the agent, seen through what their JDK writes: {@code jstack} text taken seconds apart, a JDK 21+
 * JSON thread dump, and a JFR recording with the default settings, each read by the CLI as a user would. Its cases
 * mostly wait (for the sample to leak, for jstack): they run beside other classes.
 */
@Execution(ExecutionMode.CONCURRENT)
class JdkInputsIT {
    private static final String LEAKY = "dev.threadleak.samples.ExecutorPerRequest";
    private static final Pattern POOL_THREAD = Pattern.compile("^\"pool-\\d+-thread-\\d+\" #", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    private static Path tool(Jdk jdk, String name) {
        return jdk.java().getParent().resolve(name);
    }

    private static int poolThreads(String jstack) {
        Matcher m = POOL_THREAD.matcher(jstack);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void checkOnThreeJstackDumpsOfALeakingJvmExitsOneNamingTheGrowingStack(Jdk jdk) throws Exception {
        List<Path> dumps = new ArrayList<>();
        Path jstacks = Files.createDirectory(tmp.resolve("jstacks"));
        try (ChildJvm leaky = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), LEAKY, "120")) {
            int before = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (dumps.size() < 3) {
                if (System.nanoTime() > deadline) fail("the sample's pool threads did not grow by 5 between jstack dumps within 60 s");
                String text = CliExportIT.tool(List.of(tool(jdk, "jstack").toString(), "-l", String.valueOf(leaky.pid())));
                // the next dump once the leak has grown by a few pools: dumps seconds apart, as a support bundle's
                if (poolThreads(text) < before + 5) continue;
                before = poolThreads(text);
                dumps.add(Files.writeString(jstacks.resolve("jstack-" + dumps.size() + ".txt"), text));
            }
            if (jdk.feature() >= 21) {
                Path json = tmp.resolve("threads.json");
                CliExportIT.tool(List.of(tool(jdk, "jcmd").toString(), String.valueOf(leaky.pid()), "Thread.dump_to_file", "-format=json", json.toString()));
                Result report = ChildJvm.cli("report", json.toString());
                assertThat(report.exitCode()).as(report.stderr()).isZero();
                assertThat(report.stdout()).contains("read from a JDK JSON thread dump", "seen in this stack @ java.util.concurrent.ThreadPoolExecutor$Worker.run(");
            }
        }
        Result check = ChildJvm.cli("check", dumps.get(0).toString(), dumps.get(1).toString(), dumps.get(2).toString());
        assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isEqualTo(1);
        assertThat(check.stdout()).contains("read from a jstack dump", "[HIGH] SITE_GROWTH: ", " live threads in one stack, +",
                "    @ java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:", "[MEDIUM] RECREATED_POOLS: ");
        Result diff = ChildJvm.cli("diff", dumps.get(0).toString(), dumps.get(2).toString());
        assertThat(diff.exitCode()).as(diff.stdout() + diff.stderr()).isEqualTo(1);
        assertThat(diff.stdout()).contains("ThreadPoolExecutor$Worker.run(");
        Result watch = ChildJvm.cli("watch", jstacks.toString());
        assertThat(watch.exitCode()).as(watch.stdout() + watch.stderr()).isEqualTo(1);
        assertThat(watch.stdout()).contains("pid unknown: 3 dumps from ", "sites whose live count kept rising:",
                " in one stack @ java.util.concurrent.ThreadPoolExecutor$Worker.run(", "new   [HIGH] SITE_GROWTH: ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void reportOnAJfrRecordingOfALeakySampleBlamesTheLeakingLine(Jdk jdk) throws Exception {
        Path recording = tmp.resolve("leaky.jfr");
        ChildJvm.Finished run = ChildJvm.run(Duration.ofSeconds(90), jdk, List.of("-XX:StartFlightRecording=filename=" + recording, "-cp", ChildJvm.SAMPLES_CP), LEAKY, "3");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Result report = ChildJvm.cli("report", recording.toString());
        assertThat(report.exitCode()).as(report.stderr()).isZero();
        int line = ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:");
        String blamed = "@ dev.threadleak.samples.ExecutorPerRequest.handleRequest(line " + line + ")";
        assertThat(report.stdout()).contains("pid " + run.pid() + ", java " + jdk.feature(), "read from a JFR recording", "[HIGH] SITE_GROWTH: ", "    " + blamed);
        assertThat(report.stdout()).containsPattern("\\n\\d+ live, \\d+ started " + Pattern.quote(blamed));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJfrRecordingOfAHealthyServiceHasNoFinding(Jdk jdk) throws Exception {
        Path recording = tmp.resolve("healthy.jfr");
        ChildJvm.Finished run = ChildJvm.run(Duration.ofSeconds(90), jdk, List.of("-XX:StartFlightRecording=filename=" + recording, "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "3");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        Result check = ChildJvm.cli("check", recording.toString());
        assertThat(check.exitCode()).as(check.stdout()).isZero();
        assertThat(check.stdout()).contains("read from a JFR recording", "no findings");
    }
}
