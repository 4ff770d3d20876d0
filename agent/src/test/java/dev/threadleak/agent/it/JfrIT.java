package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent's findings and samples in a JFR recording, as {@code jfr print} and JDK Mission Control read them. */
class JfrIT {
    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    private static String leakLine() throws IOException {
        return "dev.threadleak.samples.ExecutorPerRequest.handleRequest(ExecutorPerRequest.java:" + ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:") + ")";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRecordingHoldsTheFindingsWhereTheyBeganAndTheSamples(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path recording = tmp.resolve("leak.jfr");
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of("-XX:StartFlightRecording=filename=" + recording,
                ChildJvm.agent("dir=" + tmp.resolve("dumps") + ",interval=0,sample=250ms"), "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.ExecutorPerRequest", "6");
        assertThat(run.exitCode()).as(run.stderr()).isZero();

        // the JDK's own tool, as a user runs it
        String printed = jfr(jdk, "print", "--events", "dev.threadleak.Finding", recording.toString());
        assertThat(printed).contains("dev.threadleak.Finding {", "kind = \"SITE_GROWTH\"", "severity = \"HIGH\"", "blame = \"" + leakLine() + "\"")
                .contains("eventThread = \"threadleak-agent\"");

        // and the consumer API, field by field (a recording of either JDK reads on the test's)
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        List<RecordedEvent> findings = events.stream().filter(e -> e.getEventType().getName().equals("dev.threadleak.Finding")).toList();
        assertThat(findings).filteredOn(e -> e.getString("kind").equals("SITE_GROWTH")).as("raised once, when it began").singleElement()
                .satisfies(e -> {
                    assertThat(e.getString("blame")).isEqualTo(leakLine());
                    assertThat(e.getInt("threads")).isPositive();
                    assertThat(e.getString("evidence")).contains("live threads of this site over ");
                    assertThat(e.getInstant("since")).isBeforeOrEqualTo(e.getStartTime());
                });
        List<RecordedEvent> samples = events.stream().filter(e -> e.getEventType().getName().equals("dev.threadleak.Sample")).toList();
        assertThat(samples).hasSizeGreaterThanOrEqualTo(5);
        RecordedEvent last = samples.get(samples.size() - 1);
        assertThat(last.getInt("live")).isGreaterThan(samples.get(0).getInt("live"));
        String leak = leakLine();
        assertThat(last.getString("topSites").lines().findFirst()).hasValueSatisfying(l -> assertThat(l).matches("\\d+ " + java.util.regex.Pattern.quote(leak)));
    }

    /** Without a recording no event class loads: JFR's own classes stay out of a JVM that records nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aJvmThatRecordsNothingLoadsNoEventClass(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path classes = tmp.resolve("classes.txt");
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of("-Xlog:class+load:file=" + classes,
                ChildJvm.agent("dir=" + tmp.resolve("dumps") + ",interval=0,sample=250ms"), "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.ExecutorPerRequest", "2");
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        String loaded = Files.readString(classes);
        assertThat(loaded).as("the samples ran").contains("dev.threadleak.agent.expose.JfrEvents ")
                .doesNotContain("JfrEvents$FindingEvent").doesNotContain("JfrEvents$SampleEvent").doesNotContain(" jdk.jfr.Event ");
    }

    /** {@code <jdk>/bin/jfr <args>}: its output, after it exits 0. */
    private static String jfr(Jdk jdk, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(jdk.java().resolveSibling("jfr").toString()));
        cmd.addAll(List.of(args));
        return CliExportIT.tool(cmd);
    }
}
