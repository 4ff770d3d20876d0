package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@code report --format pprof|collapsed|json} of a leaking sample's dumps, read by the tools people use: the real
 * {@code go tool pprof} (skipped only when {@code go} is not installed; CI installs it) and Brendan Gregg's
 * {@code flamegraph.pl}. Each must show the leaking line with the number of threads the dump holds there.
 */
@Execution(ExecutionMode.CONCURRENT) // beside other classes: it reads the CLI's output, nothing timed
@ResourceLock("CliExportIT") // its own cases one after another, as they share what its set-up made
class CliExportIT {
    private static final String SAMPLE = "ExecutorPerRequest";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /** Dump directories of the leaking sample, one run per JDK shared by the tests. */
    private static final Map<Integer, Path> RUNS = new HashMap<>();
    /** Where those runs and what the tests make of them are written. */
    @TempDir
    static Path runs;

    /** A leaking sample's dump directory (a dump a second, the last one at exit). */
    private static synchronized Path leakingDumps(Jdk jdk) throws Exception {
        Path done = RUNS.get(jdk.feature());
        if (done != null) return done;
        Path dir = Files.createDirectory(runs.resolve("jdk" + jdk.feature()));
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=1s,sample=250ms"), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples." + SAMPLE, "6");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(ChildJvm.dumps(dir)).hasSizeGreaterThanOrEqualTo(2);
        RUNS.put(jdk.feature(), dir);
        return dir;
    }

    private static String leakLine() throws IOException {
        return "ExecutorPerRequest.java:" + ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:");
    }

    /** Live pool workers of executors built at the leaking line, as the dump holds them. */
    private static int leakingWorkers(Snapshot s) throws IOException {
        return ChildJvm.liveAt(s, leakLine() + ")");
    }

    /**
     * Threads pprof counts under the leaking line: the workers built there (each sample is rooted at its creation
     * site) and a thread whose own stack is in that line when the dump is taken (main, starting the next worker).
     */
    private static int underLeakLine(Snapshot s) throws IOException {
        String frame = leakLine() + ")";
        long inIt = s.threads().stream().filter(t -> t.stack().stream().anyMatch(f -> f.toString().endsWith(frame))).count();
        return leakingWorkers(s) + (int) inIt;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void goToolPprofReadsTheProfileAndShowsTheLeakingSite(Jdk jdk) throws Exception {
        assumeTrue(commandWorks("go", "version"), "go is not installed (Debian: apt-get install golang-go)");
        Path dir = leakingDumps(jdk);
        List<Path> dumps = ChildJvm.dumps(dir);
        Path newest = dumps.get(dumps.size() - 1), oldest = dumps.get(0);
        Snapshot later = ChildJvm.readDump(newest), base = ChildJvm.readDump(oldest);
        int workers = leakingWorkers(later);
        assertThat(workers).isGreaterThan(leakingWorkers(base));

        Path profile = dir.resolveSibling(dir.getFileName() + ".pb.gz"), baseProfile = dir.resolveSibling(dir.getFileName() + "-base.pb.gz");
        Result export = ChildJvm.cli("report", "--format", "pprof", "-o", profile.toString(), newest.toString());
        assertThat(export.stderr()).isEmpty();
        assertThat(export.exitCode()).isZero();
        assertThat(ChildJvm.cli("report", "--format", "pprof", "-o", baseProfile.toString(), oldest.toString()).exitCode()).isZero();

        String handleRequest = "dev.threadleak.samples.ExecutorPerRequest.handleRequest " + leakLine();
        String top = go("tool", "pprof", "-top", "-lines", profile.toString());
        assertThat(top).contains("Type: goroutine", "of " + later.summary().live() + " total");
        assertThat(top).containsPattern(Pattern.compile("\\s0\\s+0%\\s+\\S+%\\s+" + underLeakLine(later) + "\\s+\\S+%\\s+" + Pattern.quote(handleRequest) + "\n"));

        // the leaking pools' idle workers are identical: one trace counts them all, however many executors they work for
        String site = "dev.threadleak.samples.ExecutorPerRequest.handleRequest(" + leakLine() + ")";
        List<ThreadEntry> idle = later.threads().stream().filter(t -> t.idle() && later.site(later.blameSite(t)) != null
                && later.site(later.blameSite(t)).blameFrame().toString().equals(site)).toList();
        long executors = idle.stream().mapToInt(ThreadEntry::executor).distinct().count();
        assertThat(executors).as("idle workers of several leaked pools").isGreaterThan(1);
        String traces = go("tool", "pprof", "-traces", profile.toString());
        assertThat(traces.split("-----------\\+-", -1)).filteredOn(t -> t.contains("site:  " + site + "\n") && t.contains("wait:  " + idle.get(0).waitReason() + "\n"))
                .singleElement().asString().contains("[pool worker of an executor built here]", "executor:  " + executors + " executors\n")
                .doesNotContain("age:  ").containsPattern("\\n\\s+" + idle.size() + "\\s+jdk.internal.misc.Unsafe.park\\n");

        // -base: only what the later dump added, like goroutines between two curl /debug/pprof/goroutine
        String added = go("tool", "pprof", "-top", "-lines", "-base", baseProfile.toString(), profile.toString());
        assertThat(added).containsPattern(Pattern.compile("\\s" + (underLeakLine(later) - underLeakLine(base)) + "\\s+\\S+%\\s+" + Pattern.quote(handleRequest) + "\n"));

        // --per-thread: a sample per thread, with its name and the numeric label age, in seconds: no thread of a 6 s run is
        // an hour old, every one is 0 s or older
        Path perThread = dir.resolveSibling(dir.getFileName() + "-threads.pb.gz");
        assertThat(ChildJvm.cli("report", "--format", "pprof", "--per-thread", "-o", perThread.toString(), newest.toString()).exitCode()).isZero();
        assertThat(go("tool", "pprof", "-traces", perThread.toString())).contains("thread:  pool-", "executor:  ThreadPoolExecutor \"pool-", "age:  ");
        assertThat(go("tool", "pprof", "-top", "-tagfocus=age=3600:", perThread.toString())).contains("matched no samples");
        assertThat(go("tool", "pprof", "-top", "-tagfocus=age=0:", perThread.toString())).contains("of " + later.summary().live() + " total");
        Result notPprof = ChildJvm.cli("report", "--per-thread", newest.toString());
        assertThat(notPprof.stderr()).isEqualTo("threadleak: report: --per-thread is for --format pprof, not text\n");
        assertThat(notPprof.exitCode()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void collapsedStacksMakeAFlameGraphRootedAtTheLeakingSite(Jdk jdk) throws Exception {
        Path dir = leakingDumps(jdk);
        Snapshot newest = ChildJvm.newestDump(dir);
        int workers = leakingWorkers(newest);
        Result collapsed = ChildJvm.cli("report", "--format", "collapsed", "--creation", dir.toString());
        assertThat(collapsed.stderr()).isEmpty();
        assertThat(collapsed.exitCode()).isZero();
        List<String> lines = ChildJvm.lines(collapsed.stdout());
        assertThat(lines).allMatch(l -> l.matches("[^ ;][^;]*(;[^;]+)* \\d+"), "frame;frame;... COUNT");
        assertThat(lines.stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum()).isEqualTo(newest.summary().live());

        Path folded = Files.writeString(dir.resolveSibling(dir.getFileName() + ".folded"), collapsed.stdout());
        Path script = Path.of(CliExportIT.class.getResource("/flamegraph/flamegraph.pl").toURI());
        Process p = new ProcessBuilder("perl", script.toString(), "--title", "threads", folded.toString()).redirectErrorStream(false).start();
        byte[] svg = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String text = new String(svg, StandardCharsets.UTF_8);
        assertThat(text).startsWith("<?xml").contains("<svg")
                .contains("<title>dev.threadleak.samples.ExecutorPerRequest.handleRequest(" + leakLine() + ") (" + workers + " samples");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void jsonHasTheFindingsAndTheLeakingGroupFirst(Jdk jdk) throws Exception {
        Path dir = leakingDumps(jdk);
        Snapshot newest = ChildJvm.newestDump(dir);
        Result r = ChildJvm.cli("report", "--format", "json", dir.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertThat(json.get("summary").get("live").asInt()).isEqualTo(newest.summary().live());
        assertThat(json.get("findings").size()).isEqualTo(newest.findings().size()).isPositive();
        assertThat(json.get("findings").get(0).get("blame").asText()).endsWith(leakLine() + ")");
        JsonNode top = json.get("groups").get(0);
        assertThat(top.get("blame").asText()).endsWith(leakLine() + ")");
        assertThat(top.get("site").asText()).isEqualTo("executor");
        assertThat(top.get("live").asInt()).isEqualTo(leakingWorkers(newest));
    }

    static String go(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("go"));
        cmd.addAll(Arrays.asList(args));
        return tool(cmd);
    }

    /** Runs a tool (go, jfr): its output and errors, after it exits 0 within two minutes. */
    static String tool(List<String> cmd) throws Exception {
        Path out = Files.createTempFile("tl-tool-", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
            String text = Files.readString(out);
            assertThat(p.exitValue()).as(text).isZero();
            return text;
        } finally {
            Files.delete(out);
        }
    }

    static boolean commandWorks(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
