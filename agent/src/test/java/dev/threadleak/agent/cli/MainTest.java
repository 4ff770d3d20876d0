package dev.threadleak.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.agent.snapshot.SnapshotCodecTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in this JVM through {@link Main#run}: usage errors, help and the report formats, without a JVM per case. */
class MainTest {
    @TempDir
    Path tmp;

    /** What one command line did. */
    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit 2, nothing on stdout, exactly {@code line} on stderr. */
    static void assertOneLineError(Run r, String line) {
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(line + "\n");
        assertThat(r.exit()).isEqualTo(2);
    }

    private Path dump(Snapshot s) throws Exception {
        Path f = tmp.resolve("threadleak-4242-20261130T000000000Z.json");
        try (OutputStream out = Files.newOutputStream(f)) {
            SnapshotCodec.write(s, out);
        }
        return f;
    }

    @Test
    void usageErrorsAreOneLineWithSuggestions() {
        assertOneLineError(run(), "threadleak: no command given (try: threadleak help)");
        assertOneLineError(run("reprot", "x"), "threadleak: unknown command 'reprot' (did you mean report?)");
        assertOneLineError(run("frobnicate"), "threadleak: unknown command 'frobnicate' (commands: report, html, check, diff, watch, list, dump, prove, attach, help, generate-completion)");
        assertOneLineError(run("report"), "threadleak: report: missing required parameter: '<dump|dir>'");
        assertOneLineError(run("report", "--thread", "x"), "threadleak: report: unknown option '--thread' (did you mean --threads?)");
        assertOneLineError(run("report", "--format", "svg", "x"), "threadleak: report: invalid value for option '--format': expected one of [TEXT, THREADS, JSON, COLLAPSED, PPROF] (case-insensitive) but was 'svg'");
        assertOneLineError(run("report", "a", "b"), "threadleak: a: no such file or directory");
        assertOneLineError(run("diff", "--threshold", "0", "a", "b"), "threadleak: diff: --threshold must be at least 1, got 0");
        assertOneLineError(run("watch", "--fail-on", "LEAKS", tmp.toString()), "threadleak: watch: --fail-on: 'LEAKS' is neither a finding kind "
                + "(SITE_GROWTH, LONG_BLOCKED, DEADLOCK, DUPLICATE_STACKS, GROWTH, RECREATED_POOLS, UNCLOSED_EXECUTORS, STUCK_TASK, QUEUE_STALL, PROVEN_LEAK) nor a severity (CRITICAL, HIGH, MEDIUM, LOW)");
        assertOneLineError(run("attach", "12x"), "threadleak: attach: '12x' is not a process id");
        assertOneLineError(run("dump", "-1"), "threadleak: dump: '-1' is not a process id");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path missing = tmp.resolve("nope.json");
        assertOneLineError(run("report", missing.toString()), "threadleak: " + missing + ": no such file or directory");
        assertOneLineError(run("watch", tmp.toString()), "threadleak: " + tmp + ": no threadleak dumps in this directory");
        assertOneLineError(run("watch", missing.toString()), "threadleak: " + missing + ": no such file or directory");
        Path one = dump(SnapshotCodecTest.sample());
        assertOneLineError(run("diff", tmp.toString()), "threadleak: diff: " + tmp + " holds one readable dump; nothing to compare it with");
        assertOneLineError(run("diff", one.toString()), "threadleak: diff: give two dumps, or one directory (" + one + " is not one)");
        assertOneLineError(run("check", one.toString(), one.toString()), "threadleak: check: " + one + ": not a JDK thread dump; several inputs are one JVM's"
                + " jstack or jcmd text, JSON thread dumps or JFR recordings (a threadleak dump or directory is given alone)");
        assertOneLineError(run("report", "--format", "json", "--threads", one.toString()), "threadleak: report: --threads and --format json contradict each other");
        assertOneLineError(run("report", "-o", tmp.resolve("no/such/dir/x").toString(), one.toString()),
                "threadleak: report: cannot write " + tmp.resolve("no/such/dir/x") + ": no such directory " + tmp.resolve("no/such/dir"));
    }

    @Test
    void checkFailsOnFindingsAtOrAboveTheGivenSeverityAndPrintsThemAll() throws Exception {
        Snapshot sample = SnapshotCodecTest.sample(); // a CRITICAL DEADLOCK and a HIGH GROWTH
        Path both = dump(sample);
        Run every = run("check", both.toString());
        assertThat(every.out()).contains("DEADLOCK", "GROWTH");
        assertThat(every.exit()).isEqualTo(1);
        assertThat(run("check", "--fail-on", "critical", both.toString()).exit()).isEqualTo(1);
        assertOneLineError(run("check", "--fail-on", "SITE_GROWTH", both.toString()), "threadleak: check: invalid value for option '--fail-on': "
                + "expected one of [CRITICAL, HIGH, MEDIUM, LOW] (case-insensitive) but was 'SITE_GROWTH'");

        Path growthOnly = dump(sample.toBuilder().findings(sample.findings().subList(1, 2)).build());
        assertThat(run("check", "--fail-on", "HIGH", growthOnly.toString()).exit()).isEqualTo(1);
        Run below = run("check", "--fail-on", "CRITICAL", growthOnly.toString());
        assertThat(below.out()).as("printed though below the threshold").contains("GROWTH").doesNotContain("DEADLOCK");
        assertThat(below.exit()).isZero();
    }

    @Test
    void watchSkipsADumpItCannotReadWithOneLineAndReadsTheRest() throws Exception {
        Path good = dump(SnapshotCodecTest.sample());
        String text = Files.readString(good);
        Path half = Files.writeString(tmp.resolve("threadleak-4242-20261130T000001000Z.json"), text.substring(0, text.length() / 2));
        Run r = run("watch", tmp.toString());
        assertThat(r.err()).startsWith("threadleak: watch: skipped " + half + ": truncated JSON (input ends at line ").endsWith(")\n").hasLineCount(1);
        assertThat(r.out()).contains("pid 4242 (com.acme.Main): 1 dump from ", "open in its newest dump: DEADLOCK @ com.acme.Bank.transfer(Bank.java:51), GROWTH");
        assertThat(r.exit()).as("findings open in the newest dump read").isEqualTo(1);
        assertThat(run("watch", "--fail-on", "SITE_GROWTH", tmp.toString()).exit()).isZero();
        // a severity, as check's --fail-on: the DEADLOCK is CRITICAL, at least HIGH
        assertThat(run("watch", "--fail-on", "high", tmp.toString()).exit()).isEqualTo(1);
        assertThat(run("watch", "--fail-on", "SITE_GROWTH,CRITICAL", tmp.toString()).exit()).isEqualTo(1);
    }

    @Test
    void everyCommandHasHelpWithAnExampleAndThereIsAVersion() {
        for (String command : List.of("report", "check", "diff", "watch", "list", "dump", "attach")) {
            Run r = run(command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).as(command).contains("Usage: threadleak " + command, "Example").contains("threadleak " + command + " ");
            assertThat(run("help", command).out()).isEqualTo(r.out());
        }
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("threadleak ");
        Run completion = run("generate-completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F _complete_threadleak", "diff", "watch");
    }

    @Test
    void jsonHasTheFindingsAndTheGroups() throws Exception {
        Path f = dump(SnapshotCodecTest.sample());
        Run r = run("report", "--format", "json", f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("format").asText()).isEqualTo("threadleak-report/1");
        assertThat(json.get("summary").get("live").asInt()).isEqualTo(6);
        assertThat(json.get("findings").get(0).get("kind").asText()).isEqualTo("DEADLOCK");
        assertThat(json.get("findings").get(0).get("blame").asText()).isEqualTo("com.acme.Bank.transfer(Bank.java:51)");
        JsonNode first = json.get("groups").get(0);
        assertThat(first.get("blame").asText()).isEqualTo("com.acme.Service.handle(Service.java:42)");
        assertThat(first.get("live").asInt()).isEqualTo(3);
        assertThat(first.get("started").asInt()).isEqualTo(3);
        assertThat(first.get("names")).hasSize(2);
    }

    @Test
    void collapsedHasOneLinePerStackOutermostFirstAndCanBeRootedAtCreationOrWeighedByAge() throws Exception {
        Path f = dump(SnapshotCodecTest.sample());
        List<String> lines = run("report", "--format", "collapsed", f.toString()).out().lines().toList();
        assertThat(lines).contains(
                "java.lang.Thread.run(Unknown Source);java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435);"
                        + "jdk.internal.misc.Unsafe.park(Native Method) 2",
                "[stack not captured] 2", // the virtual thread and the JVM's
                "com.acme.Main.main(Main.java:7);java.lang.Thread.sleep(Native Method) 1",
                "com.acme.Bank.transfer(Bank.java:51) 1");
        assertThat(lines.stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum()).as("every thread but the agent's").isEqualTo(6);

        List<String> rooted = run("report", "--format", "collapsed", "--creation", f.toString()).out().lines().toList();
        assertThat(rooted).contains("com.acme.Main.main(Main.java:7);com.acme.Service.handle(Service.java:42);[thread started here];"
                + "java.lang.Thread.run(Unknown Source);java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435);jdk.internal.misc.Unsafe.park(Native Method) 2",
                "[started before agent];com.acme.Main.main(Main.java:7);java.lang.Thread.sleep(Native Method) 1",
                "[started by the JVM];[stack not captured] 1");

        // taken at 2,000 ms: pool-1-thread-1 started at 1,000 (1s), pool-2-thread-1 at 1,100 (0.9s, rounded up to 1)
        List<String> byAge = run("report", "--format", "collapsed", "--weight", "age", f.toString()).out().lines().toList();
        assertThat(byAge).contains("java.lang.Thread.run(Unknown Source);java.util.concurrent.LinkedBlockingQueue.take(LinkedBlockingQueue.java:435);"
                + "jdk.internal.misc.Unsafe.park(Native Method) 2", "com.acme.Main.main(Main.java:7);java.lang.Thread.sleep(Native Method) 2");
    }

    @Test
    void pprofIsAGzippedProfileWithItsStringTable() throws Exception {
        Path f = dump(SnapshotCodecTest.sample());
        Path out = tmp.resolve("threads.pb.gz");
        Run r = run("report", "--format", "pprof", "-o", out.toString(), f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEmpty();
        assertThat(r.exit()).isZero();
        byte[] profile;
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            profile = in.readAllBytes();
        }
        String text = new String(profile, StandardCharsets.ISO_8859_1);
        assertThat(text).contains("goroutine", "count", "site", "com.acme.Service.handle(Service.java:42)", "pool-*-thread-1",
                "com.acme.Bank.transfer", "[thread started here]");
        assertThat(profile[0]).as("field 1 (sample_type), length-delimited").isEqualTo((byte) (1 << 3 | 2));
        assertThat(text).as("no per-thread labels: identical threads are one sample").doesNotContain("seconds").doesNotContain("pool-1-thread-1");

        Path perThread = tmp.resolve("per-thread.pb.gz");
        assertThat(run("report", "--format", "pprof", "--per-thread", "-o", perThread.toString(), f.toString()).exit()).isZero();
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(perThread))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).contains("thread", "pool-1-thread-1", "pool-2-thread-1", "age", "seconds");
        }
    }
}
