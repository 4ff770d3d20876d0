package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Every CLI mistake and every bad dump: exit code 2, nothing on stdout, one line on stderr saying what is wrong. */
@Execution(ExecutionMode.CONCURRENT) // beside other classes: it reads the CLI's output, nothing timed
@ResourceLock("CliErrorsIT") // its own cases one after another, as they share what its set-up made
class CliErrorsIT {
    private static String realDump;

    @TempDir
    Path tmp;

    /** One real dump to damage. */
    @BeforeAll
    static void writeARealDump(@TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(ChildJvm.jdks().get(0), List.of(ChildJvm.agent("dir=" + dir)),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.StartPaths", "plainThread");
        assertThat(run.exitCode()).isZero();
        realDump = Files.readString(ChildJvm.dumps(dir).get(0));
        assertThat(realDump).contains("\"threads\"");
    }

    @Test
    void missingFile() throws Exception {
        Path missing = tmp.resolve("nope.json");
        assertOneLineError(ChildJvm.cli("report", missing.toString()), "threadleak: " + missing + ": no such file or directory");
    }

    @Test
    void checkOnBadInputExitsTwoNotOne() throws Exception {
        Path missing = tmp.resolve("nope.json");
        assertOneLineError(ChildJvm.cli("check", missing.toString()), "threadleak: " + missing + ": no such file or directory");
        Path notJson = Files.writeString(tmp.resolve("hello.json"), "hello");
        assertOneLineError(ChildJvm.cli("check", notJson.toString()), null);
        assertOneLineError(ChildJvm.cli("check"), "threadleak: check: missing required parameter: '<dump|dir>'");
        assertOneLineError(ChildJvm.cli("check", "--quiet", notJson.toString()), "threadleak: check: unknown option '--quiet'");
    }

    @Test
    void directoryWithoutDumps() throws Exception {
        Files.writeString(tmp.resolve("notes.txt"), "not a dump");
        assertOneLineError(ChildJvm.cli("report", tmp.toString()), "threadleak: " + tmp + ": no threadleak dumps in this directory");
    }

    @Test
    void emptyFile() throws Exception {
        Path f = Files.createFile(tmp.resolve("empty.json"));
        assertOneLineError(ChildJvm.cli("report", f.toString()), "threadleak: " + f + ": not a threadleak dump (empty, or not a JSON object)");
    }

    @Test
    void notJsonNorAnyThreadDump() throws Exception {
        Path f = Files.writeString(tmp.resolve("hello.json"), "hello");
        assertOneLineError(ChildJvm.cli("report", f.toString()), "threadleak: " + f + ": not a thread dump threadleak reads (a threadleak dump,"
                + " jstack or jcmd Thread.print text, a JDK JSON thread dump, a JFR recording)");
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{ hello");
        Result r = ChildJvm.cli("report", broken.toString());
        assertOneLineError(r, null);
        assertThat(r.stderr()).startsWith("threadleak: " + broken + ": not JSON (").endsWith(" at line 1)\n");
    }

    @Test
    void truncatedDump() throws Exception {
        // cut just before a line's end in the second half, so the input ends mid-line
        String half = realDump.substring(0, realDump.indexOf('\n', realDump.length() / 2) - 1);
        Path f = Files.writeString(tmp.resolve("half.json"), half);
        Result r = ChildJvm.cli("report", f.toString());
        assertOneLineError(r, null);
        long lines = half.lines().count();
        assertThat(r.stderr()).isEqualTo("threadleak: " + f + ": truncated JSON (input ends at line " + lines + ")\n");
    }

    @Test
    void unsupportedFormat() throws Exception {
        Path f = Files.writeString(tmp.resolve("v99.json"), realDump.replace("\"threadleak-dump/1\"", "\"threadleak-dump/99\""));
        assertOneLineError(ChildJvm.cli("report", f.toString()),
                "threadleak: " + f + ": unsupported format 'threadleak-dump/99' (this threadleak reads threadleak-dump/1)");
    }

    @Test
    void jsonArray() throws Exception {
        Path f = Files.writeString(tmp.resolve("array.json"), "[" + realDump + "]");
        assertOneLineError(ChildJvm.cli("report", f.toString()), "threadleak: " + f + ": not a threadleak dump (empty, or not a JSON object)");
    }

    @Test
    void jsonWithoutFormat() throws Exception {
        Path f = Files.writeString(tmp.resolve("other.json"), "{\"name\": \"something else\"}");
        assertOneLineError(ChildJvm.cli("report", f.toString()), "threadleak: " + f + ": not a threadleak dump (no \"format\" field)");
    }

    @Test
    void dumpWithoutThreads() throws Exception {
        int threads = realDump.indexOf(",\n  \"threads\"");
        assertThat(threads).as("threads is the last field").isPositive();
        Path f = Files.writeString(tmp.resolve("nothreads.json"), realDump.substring(0, threads) + "\n}\n", StandardCharsets.UTF_8);
        assertOneLineError(ChildJvm.cli("report", f.toString()), "threadleak: " + f + ": missing field 'threads'");
    }

    @Test
    void noCommand() throws Exception {
        assertOneLineError(ChildJvm.cli(), "threadleak: no command given (try: threadleak help)");
    }

    @Test
    void unknownCommand() throws Exception {
        assertOneLineError(ChildJvm.cli("reprot", "x"), "threadleak: unknown command 'reprot' (did you mean report?)");
    }

    @Test
    void reportWithoutArguments() throws Exception {
        assertOneLineError(ChildJvm.cli("report"), "threadleak: report: missing required parameter: '<dump|dir>'");
    }

    @Test
    void reportWithTwoArgumentsThatAreNoJdkDumps() throws Exception {
        assertOneLineError(ChildJvm.cli("report", "a", "b"), "threadleak: a: no such file or directory");
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "hello\n");
        assertOneLineError(ChildJvm.cli("report", notes.toString(), notes.toString()), "threadleak: report: " + notes
                + ": not a JDK thread dump; several inputs are one JVM's jstack or jcmd text, JSON thread dumps or JFR recordings (a threadleak dump or directory is given alone)");
    }

    @Test
    void unknownFlag() throws Exception {
        assertOneLineError(ChildJvm.cli("report", "--thread", tmp.toString()), "threadleak: report: unknown option '--thread' (did you mean --threads?)");
    }

    @Test
    void helpPrintsUsageAndSucceeds() throws Exception {
        Result r = ChildJvm.cli("help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).startsWith("Usage: threadleak [-hV] <command>\n").contains("  report ", "  diff ", "  help ");
    }

    @Test
    void aFifoNamedLikeADumpIsNotReadAndDoesNotHang() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dumps"));
        Files.writeString(dir.resolve("threadleak-7-20260101T000000000Z.json"), realDump);
        Path fifo = dir.resolve("threadleak-8-20991231T235959999Z.json"); // newest by name: the one the old CLI opened, forever
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        Result check = ChildJvm.cli("check", dir.toString());
        assertThat(check.stderr()).isEmpty();
        assertThat(check.stdout()).startsWith("threadleak report: " + dir.resolve("threadleak-7-20260101T000000000Z.json") + "\n");
        assertThat(check.exitCode()).as("0 or 1: findings or none, not bad input").isIn(0, 1);
        assertOneLineError(ChildJvm.cli("check", fifo.toString()), "threadleak: " + fifo + ": not a regular file or directory");
    }

    @Test
    void aForeignFileStampedLaterDoesNotHideTheNewestDump() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dumps"));
        Path real = Files.writeString(dir.resolve("threadleak-7-20260101T000000000Z.json"), realDump);
        Files.writeString(dir.resolve("threadleak-9-20991231T235959999Z.json"), "not a dump at all");
        // named later and starts like a dump, but breaks further on: the newest that reads wins
        Files.writeString(dir.resolve("threadleak-9-20991231T235959998Z.json"), realDump.substring(0, realDump.length() / 2));
        Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.stderr()).isEmpty();
        assertThat(report.exitCode()).isZero();
        assertThat(report.stdout()).startsWith("threadleak report: " + real + "\n");
    }

    /** diff and watch skip a half-written newest dump as report and check do (before: diff exit 2, watch "no dump of process null"). */
    @Test
    void diffAndWatchSkipATruncatedDumpAsReportDoes() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("dumps"));
        Path older = Files.writeString(dir.resolve("threadleak-7-20260101T000000000Z.json"), realDump);
        Path real = Files.writeString(dir.resolve("threadleak-7-20260101T000001000Z.json"), realDump);
        Files.writeString(dir.resolve("threadleak-7-20260101T000002000Z.json"), realDump.substring(0, realDump.length() / 2));
        Result diff = ChildJvm.cli("diff", dir.toString());
        assertThat(diff.stderr()).isEmpty();
        assertThat(diff.exitCode()).as(diff.stdout()).isZero();
        assertThat(diff.stdout()).contains(older.getFileName().toString()).contains(real.getFileName().toString());
        Files.delete(older);
        assertOneLineError(ChildJvm.cli("diff", dir.toString()), "threadleak: diff: " + dir + " holds one readable dump; nothing to compare it with");

        Path onlyTruncated = Files.createDirectory(tmp.resolve("truncated"));
        Files.writeString(onlyTruncated.resolve("threadleak-7-20260101T000002000Z.json"), realDump.substring(0, realDump.length() / 2));
        Result watch = ChildJvm.cli("watch", onlyTruncated.toString());
        assertThat(watch.exitCode()).isEqualTo(2);
        assertThat(watch.stderr()).endsWith("threadleak: watch: " + onlyTruncated + ": no readable dump\n").doesNotContain("null");
    }

    @Test
    void aBlameIndexOutsideItsStackIsOneLine() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(realDump);
        com.fasterxml.jackson.databind.node.ObjectNode site = (com.fasterxml.jackson.databind.node.ObjectNode) root.path("sites").get(0);
        site.put("blame", 1000);
        Path f = Files.writeString(tmp.resolve("blame.json"), root.toString());
        Result r = ChildJvm.cli("report", f.toString());
        assertOneLineError(r, null);
        assertThat(r.stderr()).startsWith("threadleak: " + f + ": site " + site.path("id").asInt() + ": blame index 1000 is outside its stack of ");
    }

    /** Exit 2, empty stdout, exactly one stderr line (equal to {@code line} unless it is null). */
    private static void assertOneLineError(Result r, String line) {
        assertThat(r.stdout()).as("stdout").isEmpty();
        assertThat(ChildJvm.lines(r.stderr())).as("stderr").hasSize(1).allMatch(l -> l.startsWith("threadleak: "));
        if (line != null) assertThat(r.stderr()).isEqualTo(line + "\n");
        assertThat(r.exitCode()).as("exit code").isEqualTo(2);
    }

    /**
     * A dump of 200,000 threads (about 100 MB) reads in a 128 MiB heap: the reader streams the threads, one at a time,
     * instead of building a tree of the whole file (several times its size). Before: out of memory below 512 MiB.
     */
    @Test
    void aLargeDumpIsReadInBoundedMemory() throws Exception {
        dev.threadleak.agent.snapshot.Snapshot s = dev.threadleak.agent.snapshot.SnapshotCodecTest.sample();
        dev.threadleak.agent.snapshot.ThreadEntry t = s.threads().get(1);
        List<dev.threadleak.agent.snapshot.ThreadEntry> many = new java.util.ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            many.add(new dev.threadleak.agent.snapshot.ThreadEntry(100_000 + i, "worker-" + i, t.state(), t.virtual(), t.daemon(), t.priority(),
                    t.stack(), t.parkBlocker(), t.blockedOn(), t.waitingOn(), t.lockOwner(), t.monitorsOwned(), t.synchronizersOwned(),
                    t.origin(), t.site(), t.startedAtMs(), t.starter(), false, t.waitReason(), t.idle(), t.waitingForMs(), t.waitFrame(),
                    -1, null));
        }
        dev.threadleak.agent.snapshot.Snapshot big = s.toBuilder().threads(many).build();
        Path file = tmp.resolve("big.json");
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            dev.threadleak.agent.snapshot.SnapshotCodec.write(big, out);
        }
        assertThat(Files.size(file)).isGreaterThan(80L << 20);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-jar", ChildJvm.AGENT_JAR.toString(), "report", file.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("stderr: %s", err).isZero();
        assertThat(err).isEmpty();
    }
}
