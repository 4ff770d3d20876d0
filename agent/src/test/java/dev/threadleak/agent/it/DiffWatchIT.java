package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import dev.threadleak.agent.snapshot.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code diff} and {@code watch} on the dump directories of a leaking and of a healthy sample, as a user runs them. */
@Execution(ExecutionMode.CONCURRENT) // its cases mostly wait for samples to run: beside other classes, off CI's critical path
class DiffWatchIT {
    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /** The sample run under the agent for 6 s with a dump a second (the last one at exit). */
    private static Path dumpsOf(Jdk jdk, Path dir, String sample) throws Exception {
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=1s,sample=250ms"), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples." + sample, "6");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(ChildJvm.dumps(dir)).hasSizeGreaterThanOrEqualTo(3);
        return dir;
    }

    private static String takenAt(Path dump) {
        try {
            return java.time.Instant.ofEpochMilli(ChildJvm.readDump(dump).takenAtMs()).toString();
        } catch (Exception e) {
            return "(unreadable " + dump + ")"; // a dump being replaced: matches nothing, the poll goes on
        }
    }

    private static String leakLine() throws IOException {
        return "ExecutorPerRequest.java:" + ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:") + ")";
    }

    private static int leakingWorkers(Path dump) throws Exception {
        return ChildJvm.liveAt(ChildJvm.readDump(dump), leakLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aLeakingSamplesDiffPutsTheLeakingSiteOnTopAndItsWatchExitsOne(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = dumpsOf(jdk, tmp, "ExecutorPerRequest");
        List<Path> dumps = ChildJvm.dumps(dir);
        int grown = leakingWorkers(dumps.get(dumps.size() - 1)) - leakingWorkers(dumps.get(0));
        assertThat(grown).isPositive();

        Result diff = ChildJvm.cli("diff", dir.toString());
        assertThat(diff.stderr()).isEmpty();
        assertThat(diff.exitCode()).isEqualTo(1);
        List<String> lines = ChildJvm.lines(diff.stdout());
        String top = lines.get(lines.indexOf("creation sites, largest growth first:") + 1);
        assertThat(top).startsWith(String.format("  %6s", "+" + grown)).contains("executors built @ dev.threadleak.samples.ExecutorPerRequest.handleRequest(" + leakLine());
        assertThat(diff.stdout()).endsWith("growth: 1 site gained 1 or more live threads\n");
        // SITE_GROWTH is listed as new exactly when the first dump did not have it yet (how soon depends on the machine)
        boolean growthAtFirst = ChildJvm.readDump(dumps.get(0)).findings().stream().anyMatch(f -> f.kind() == Finding.Kind.SITE_GROWTH);
        boolean growthAtLast = ChildJvm.readDump(dumps.get(dumps.size() - 1)).findings().stream().anyMatch(f -> f.kind() == Finding.Kind.SITE_GROWTH);
        assertThat(growthAtLast).isTrue();
        assertThat(diff.stdout().contains("\n  [HIGH] SITE_GROWTH: ")).isEqualTo(!growthAtFirst);
        // the same two files named one by one: the same comparison
        assertThat(ChildJvm.cli("diff", dumps.get(0).toString(), dumps.get(dumps.size() - 1).toString()).stdout()).isEqualTo(diff.stdout());
        // a threshold above the growth: no growth
        assertThat(ChildJvm.cli("diff", "--threshold", String.valueOf(grown + 1), dir.toString()).exitCode()).isZero();

        Result watch = ChildJvm.cli("watch", dir.toString());
        assertThat(watch.stderr()).isEmpty();
        assertThat(watch.exitCode()).isEqualTo(1);
        List<String> w = ChildJvm.lines(watch.stdout());
        String leakFrame = " @ dev.threadleak.samples.ExecutorPerRequest.handleRequest(" + leakLine();
        assertThat(w).anyMatch(l -> l.contains(": new   [HIGH] SITE_GROWTH: ") && l.endsWith(leakFrame));
        assertThat(w).contains("  sites whose live count kept rising:");
        assertThat(w.get(w.indexOf("  sites whose live count kept rising:") + 1))
                .startsWith("    +" + grown + " (" + leakingWorkers(dumps.get(0)) + " -> ").endsWith(leakLine());
        assertThat(w).anyMatch(l -> l.startsWith("  live threads: ") && l.contains("/min)"));
        // only the kinds asked for: a leak of executors is not a deadlock
        assertThat(ChildJvm.cli("watch", "--fail-on", "DEADLOCK,LONG_BLOCKED", dir.toString()).exitCode()).isZero();
        assertThat(ChildJvm.cli("watch", "--pid", "1", dir.toString()).stderr()).isEqualTo("threadleak: watch: " + dir + ": no dump of process 1\n");

        checkDiffAndWatchSpeakJsonForScripts(dir);
    }

    /**
     * {@code --format json} on check, diff and watch, read as a script reads it (on the leaking sample's dumps): the same
     * verdicts and exit codes as the text, the leaking line in the fields a script picks, and watch's events one JSON
     * object a line.
     */
    private static void checkDiffAndWatchSpeakJsonForScripts(Path dir) throws Exception {
        List<Path> dumps = ChildJvm.dumps(dir);
        Path first = dumps.get(0), last = dumps.get(dumps.size() - 1);
        int grown = leakingWorkers(last) - leakingWorkers(first);
        String site = "dev.threadleak.samples.ExecutorPerRequest.handleRequest(" + leakLine();
        ObjectMapper json = new ObjectMapper();

        Result check = ChildJvm.cli("check", "--format", "json", dir.toString());
        assertThat(check.stderr()).isEmpty();
        assertThat(check.exitCode()).isEqualTo(1);
        JsonNode c = json.readTree(check.stdout());
        assertThat(c.path("format").asText()).isEqualTo("threadleak-check/1");
        assertThat(c.path("source").asText()).isEqualTo(last.toString());
        assertThat(c.path("summary").path("live").asInt()).isEqualTo(ChildJvm.readDump(last).summary().live());
        assertThat(c.path("failOn").asText()).isEqualTo("LOW");
        assertThat(c.path("failing").asInt()).isEqualTo(c.path("findings").size()).isPositive();
        assertThat(c.path("findings")).anyMatch(f -> f.path("kind").asText().equals("SITE_GROWTH") && f.path("blame").asText().equals(site));
        Result critical = ChildJvm.cli("check", "--format", "json", "--fail-on", "CRITICAL", dir.toString());
        assertThat(critical.exitCode()).as("no CRITICAL finding: exit 0, findings still listed").isZero();
        assertThat(json.readTree(critical.stdout()).path("failing").asInt()).isZero();

        Result diff = ChildJvm.cli("diff", "--format", "json", dir.toString());
        assertThat(diff.stderr()).isEmpty();
        assertThat(diff.exitCode()).isEqualTo(1);
        JsonNode d = json.readTree(diff.stdout());
        assertThat(d.path("format").asText()).isEqualTo("threadleak-diff/1");
        assertThat(d.path("base").path("source").asText()).isEqualTo(first.toString());
        assertThat(d.path("later").path("source").asText()).isEqualTo(last.toString());
        JsonNode top = d.path("sites").get(0);
        assertThat(top.path("label").asText()).isEqualTo("executors built @ " + site);
        assertThat(top.path("delta").asInt()).isEqualTo(grown).isEqualTo(top.path("after").asInt() - top.path("before").asInt());
        assertThat(d.path("grownSites").asInt()).isEqualTo(1);
        assertThat(d.path("threshold").asInt()).isEqualTo(1);

        Result watch = ChildJvm.cli("watch", "--format", "json", dir.toString());
        assertThat(watch.stderr()).isEmpty();
        assertThat(watch.exitCode()).isEqualTo(1);
        List<JsonNode> events = new java.util.ArrayList<>();
        for (String line : ChildJvm.lines(watch.stdout())) events.add(json.readTree(line)); // one object a line
        assertThat(events).allMatch(e -> e.path("format").asText().equals("threadleak-watch/1"));
        assertThat(events).anyMatch(e -> e.path("event").asText().equals("new") && e.path("finding").path("kind").asText().equals("SITE_GROWTH")
                && e.path("finding").path("blame").asText().equals(site));
        JsonNode summary = events.get(events.size() - 1);
        assertThat(summary.path("event").asText()).isEqualTo("summary");
        assertThat(summary.path("dumps").asInt()).isEqualTo(dumps.size());
        assertThat(summary.path("live")).hasSize(dumps.size());
        String leak = leakLine();
        assertThat(summary.path("risingSites")).anyMatch(r -> r.path("label").asText().endsWith(leak)
                && r.path("last").asInt() - r.path("first").asInt() == grown);

        Result extra = ChildJvm.cli("diff", first.toString(), last.toString(), "extra");
        assertThat(extra.stderr()).isEqualTo("threadleak: diff: unexpected argument 'extra' (give two dumps, or one directory)\n");
        assertThat(extra.exitCode()).isEqualTo(2);
        assertThat(ChildJvm.cli("check", "--format", "xml", dir.toString()).stderr()).startsWith("threadleak: check: ").contains("xml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aHealthySamplesDiffShowsNoGrowthAndItsWatchExitsZero(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = dumpsOf(jdk, tmp, "HealthyService");
        List<Path> dumps = ChildJvm.dumps(dir);
        // the first dump, and the last taken while the service ran: a periodic dump may fall in its shutdown, as the exit
        // dump does (the agent's dumps come every second, the service ends at a whole second of its own)
        Path lastRunning = null;
        for (Path d : dumps) {
            List<String> names = ChildJvm.readDump(d).threads().stream().map(t -> t.name()).toList();
            if (names.contains("ticker") && names.stream().filter(n -> n.startsWith("worker-")).count() == 4) lastRunning = d;
        }
        assertThat(lastRunning).as("a dump with the service's ticker and its 4 workers alive").isNotNull().isNotEqualTo(dumps.get(0));
        Result diff = ChildJvm.cli("diff", dumps.get(0).toString(), lastRunning.toString());
        assertThat(diff.stderr()).isEmpty();
        assertThat(diff.stdout()).contains("creation sites, largest growth first:\n  no change\n", "no new findings")
                .endsWith("no growth: no site gained 1 or more live threads\n");
        assertThat(diff.exitCode()).isZero();

        Result watch = ChildJvm.cli("watch", dir.toString());
        assertThat(watch.stderr()).isEmpty();
        assertThat(watch.stdout()).contains("  no site kept rising\n", "  no finding open in its newest dump\n").doesNotContain(": new ");
        assertThat(watch.exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void watchFollowReadsDumpsAsTheyAreWritten(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm app = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=1s,sample=250ms"), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.ExecutorPerRequest", "60")) {
            ChildJvm.await("a first dump", Duration.ofSeconds(30), () -> !ChildJvm.dumps(dir).isEmpty());
            List<Path> before = ChildJvm.dumps(dir);
            try (ChildJvm watch = ChildJvm.start(jdk, List.of("-jar", ChildJvm.AGENT_JAR.toString()), "watch", "--follow", "--poll", "200", dir.toString())) {
                // a status line for a dump written after watch started: it was read as it came
                ChildJvm.await("watch --follow to read a dump written after it started", Duration.ofSeconds(45), () -> ChildJvm.dumps(dir).stream()
                        .filter(d -> !before.contains(d)).anyMatch(d -> ChildJvm.lines(watch.stdout()).stream()
                                .anyMatch(l -> l.startsWith(takenAt(d) + " pid " + app.pid() + " (dev.threadleak.samples.ExecutorPerRequest): ")
                                        && l.matches(".*\\): \\d+ live threads \\([+-]?\\d+\\)(, \\d+ findings? open)?"))));
                assertThat(watch.isAlive()).isTrue();
                assertThat(watch.stderr()).isEmpty();
            }
        }
    }
}
