package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dump files: rotation, names, permissions, atomic writes, and a directory that cannot be written. */
class DumpFilesIT {
    private static final String RUN_UNTIL = "dev.threadleak.agent.it.apps.RunUntil";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Jdk jdk() {
        return ChildJvm.jdks().get(0);
    }

    @Test
    void keepsTheNewestDumpsOnlyEachCompleteAndPrivate(@TempDir Path base) throws Exception {
        Path dir = base.resolve("dumps"); // the agent creates it
        Path stop = base.resolve("stop");
        try (ChildJvm child = ChildJvm.start(jdk(), List.of(ChildJvm.agent("dir=" + dir + ",interval=200ms,keep=3")),
                "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stop.toString(), "60")) {
            Pattern name = Pattern.compile("threadleak-" + child.pid() + "-[0-9a-f]{8}-\\d{8}T\\d{9}Z-\\d{6}\\.json");
            ChildJvm.await("3 dumps", DEADLINE, () -> mine(dir, child.pid()).size() >= 3);
            Set<String> initial = new LinkedHashSet<>(names(mine(dir, child.pid())));
            Set<String> seen = new LinkedHashSet<>(initial);
            List<String> tooMany = new java.util.ArrayList<>(); // moments with more than keep=3 dumps (+1 while one is written)
            List<String> none = new java.util.ArrayList<>(); // moments with no dump at all
            long end = System.nanoTime() + DEADLINE.toNanos();
            // watch at least 6 more dumps being written; a reader never finds the directory empty, and finds
            // more than keep=3 only for the moment between a new dump's rename and the oldest one's deletion
            while (seen.size() < initial.size() + 6) {
                if (System.nanoTime() > end) fail("timed out; dumps seen: " + seen);
                assertThat(child.isAlive()).as("child running; stderr: %s", child.stderr()).isTrue();
                List<Path> now = mine(dir, child.pid());
                if (now.size() > 4) tooMany.add(names(now).toString());
                if (now.isEmpty()) none.add("empty");
                for (Path p : now) {
                    if (seen.add(p.getFileName().toString())) assertCompleteDump(p, child.pid(), true);
                }
                Thread.sleep(5); // poll interval
            }
            assertThat(seen).allMatch(n -> name.matcher(n).matches(), "named " + name);

            Files.createFile(stop);
            assertThat(child.waitFor()).isZero();
            assertThat(child.stderr()).isEmpty();
            assertThat(child.stdout()).isEqualTo("running\nstopped\n");

            List<Path> left = mine(dir, child.pid());
            assertThat(left).hasSize(3);
            for (Path p : left) {
                assertCompleteDump(p, child.pid(), false);
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rw-------");
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("files left in %s", dir)
                        .noneMatch(n -> n.startsWith(".threadleak-") && n.endsWith(".tmp"))
                        .filteredOn(n -> !n.startsWith("threadleak-hooks-")) // the hooked JDK classes (HookCacheIT)
                        .hasSize(3);
            }
            assertThat(tooMany).as("listings of %s that held more than keep+1 dumps of pid %d", dir, child.pid()).isEmpty();
            assertThat(none).as("listings of %s with no dump", dir).isEmpty();
        }
    }

    @Test
    void anUnwritableDirIsReportedOnceAndTheAppRunsOn(@TempDir Path base) throws Exception {
        Files.createFile(base.resolve("file"));
        Path dir = base.resolve("file").resolve("dumps"); // its parent is a regular file: cannot be created, even by root
        assertThat(runUntilThePeriodicDumpFails(dir, base.resolve("stop"))).startsWith("[threadleak] cannot write periodic dump to " + dir + ": ")
                .contains("Not a directory")
                .endsWith("(will retry every 200ms)");
    }

    /**
     * Runs an app with dumps every 200 ms into {@code dir} until the first periodic dump has failed, then lets it
     * end (its exit dump fails too; creating {@code stop} stops it) and returns the one line it printed on stderr: the
     * failures said once.
     */
    private static String runUntilThePeriodicDumpFails(Path dir, Path stop) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk(), List.of(ChildJvm.agent("dir=" + dir + ",interval=200ms")),
                "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stop.toString(), "60")) {
            ChildJvm.await("the periodic dump's warning", DEADLINE, () -> child.stderr().contains("cannot write periodic dump"));
            Files.createFile(stop);
            assertThat(child.waitFor()).isZero();
            assertThat(child.stdout()).as("the app ran on").isEqualTo("running\nstopped\n");
            List<String> lines = ChildJvm.lines(child.stderr());
            assertThat(lines).as("periodic and exit dumps failed, said once").hasSize(1);
            return lines.get(0);
        }
    }

    @Test
    void writingResumesOnceTheDirBecomesWritable(@TempDir Path base) throws Exception {
        Path blocker = Files.createFile(base.resolve("file"));
        Path dir = blocker.resolve("dumps");
        Path stop = base.resolve("stop");
        try (ChildJvm child = ChildJvm.start(jdk(), List.of(ChildJvm.agent("dir=" + dir + ",interval=200ms")),
                "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stop.toString(), "60")) {
            ChildJvm.await("the warning", DEADLINE, () -> child.stderr().contains("[threadleak] cannot write"));
            Files.delete(blocker);
            ChildJvm.await("a dump in " + dir, DEADLINE, () -> !mine(dir, child.pid()).isEmpty());
            assertThat(child.isAlive()).as("written while the app runs").isTrue();
            assertCompleteDump(mine(dir, child.pid()).get(0), child.pid(), false);

            Files.createFile(stop);
            assertThat(child.waitFor()).isZero();
            assertThat(child.stdout()).isEqualTo("running\nstopped\n");
            assertThat(ChildJvm.lines(child.stderr())).singleElement().asString().startsWith("[threadleak] cannot write periodic dump to " + dir);
        }
    }

    @Test
    void twoJvmsThatAreBothPid1InOneDirKeepTheirOwnDumps(@TempDir Path base) throws Exception {
        // two containers, each JVM pid 1, sharing a volume: here two pid namespaces (unshare; the tests run as root)
        Path dir = base.resolve("dumps");
        List<String> pid1 = List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc");
        List<String> agent = List.of(ChildJvm.agent("dir=" + dir + ",interval=200ms,keep=2"));
        Path stopA = base.resolve("stop-a"), stopB = base.resolve("stop-b");
        try (ChildJvm a = ChildJvm.start(pid1, jdk(), agent, "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stopA.toString(), "60");
             ChildJvm b = ChildJvm.start(pid1, jdk(), agent, "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stopB.toString(), "60")) {
            ChildJvm.await("2 dumps of each JVM at once", DEADLINE,
                    () -> byRun(dir, stopA).size() >= 2 && byRun(dir, stopB).size() >= 2);
            Files.createFile(stopA);
            Files.createFile(stopB);
            assertThat(a.waitFor()).isZero();
            assertThat(b.waitFor()).isZero();
            assertThat(a.stderr()).isEmpty();
            assertThat(b.stderr()).isEmpty();
            for (Path stop : List.of(stopA, stopB)) {
                List<Path> left = byRun(dir, stop);
                assertThat(left).as("dumps of the JVM stopped by %s", stop).hasSize(2)
                        .allSatisfy(p -> assertThat(p.getFileName().toString()).startsWith("threadleak-1-"));
            }
        }
    }

    @Test
    void onAFullDiskTheOldestDumpsGoAndTheExitDumpIsWritten(@TempDir Path base) throws Exception {
        Path mnt = Files.createDirectory(base.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()).inheritIO().start();
        assertThat(mount.waitFor()).as("mount a 1 MiB tmpfs (the tests run as root)").isZero();
        try {
            Path dir = mnt.resolve("dumps");
            Path stop = base.resolve("stop");
            // leave room for a few dumps only; keep=1000: only the space check can make room
            long room = 160 * 1024;
            Files.write(mnt.resolve("filler"), new byte[(int) (Files.getFileStore(mnt).getUsableSpace() - room)]);
            try (ChildJvm child = ChildJvm.start(jdk(), List.of(ChildJvm.agent("dir=" + dir + ",interval=100ms,keep=1000")),
                    "-cp", ChildJvm.TEST_CP, RUN_UNTIL, stop.toString(), "60")) {
                Set<String> seen = new LinkedHashSet<>();
                ChildJvm.await("30 dumps written on a disk with room for a few", DEADLINE, () -> {
                    names(mine(dir, child.pid())).forEach(seen::add);
                    return seen.size() >= 30 || !child.stderr().isEmpty();
                });
                assertThat(child.stderr()).isEmpty();
                long stoppedAt = System.currentTimeMillis();
                Files.createFile(stop);
                assertThat(child.waitFor()).isZero();
                assertThat(child.stderr()).isEmpty();
                List<Path> left = mine(dir, child.pid());
                assertThat(left).as("dumps left, of %d seen", seen.size()).isNotEmpty().hasSizeLessThan(seen.size());
                assertThat(ChildJvm.readDump(left.get(left.size() - 1)).takenAtMs()).as("the exit dump is the newest").isGreaterThanOrEqualTo(stoppedAt);
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }

    /** {@code report -o} onto a disk that cannot hold the report: one line, exit 2, and the file it was to replace kept whole. */
    @Test
    void aReportThatDoesNotFitLeavesTheFileItWasToReplace(@TempDir Path base) throws Exception {
        // a dump of 400 threads: its every-thread report is far larger than the disk's last free page
        dev.threadleak.agent.snapshot.Snapshot sample = dev.threadleak.agent.snapshot.SnapshotCodecTest.sample();
        List<dev.threadleak.agent.snapshot.ThreadEntry> threads = new java.util.ArrayList<>(sample.threads());
        for (int i = 0; i < 400; i++) threads.add(sample.threads().get(1).toBuilder().build());
        Path dump = base.resolve("threadleak-4242-20261207T120000000Z.json");
        try (java.io.OutputStream out = Files.newOutputStream(dump)) {
            dev.threadleak.agent.snapshot.SnapshotCodec.write(sample.toBuilder().threads(threads).build(), out);
        }
        Path mnt = Files.createDirectory(base.resolve("small"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt.toString()).inheritIO().start();
        assertThat(mount.waitFor()).as("mount a 256 KiB tmpfs (the tests run as root)").isZero();
        try {
            Path report = Files.writeString(mnt.resolve("report.txt"), "the report of yesterday\n");
            try (java.io.OutputStream filler = Files.newOutputStream(mnt.resolve("filler"))) {
                while (true) filler.write(new byte[4096]); // until the disk is full
            } catch (IOException full) {
                // as meant
            }
            ChildJvm.Result r = ChildJvm.cli("report", "--threads", "-o", report.toString(), dump.toString());
            assertThat(r.stderr()).startsWith("threadleak: report: cannot write " + report + ": ").hasLineCount(1);
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(Files.readString(report)).as("the file it was to replace").isEqualTo("the report of yesterday\n");
            try (Stream<Path> files = Files.list(mnt)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no temporary file left").containsExactlyInAnyOrder("report.txt", "filler");
            }
        } finally {
            new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
        }
    }

    @Test
    void aDirOthersMayWriteOrAnotherUserOwnsIsOneWarningAndNoDumps(@TempDir Path base) throws Exception {
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path theirs = Files.createDirectory(base.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 65534); // nobody's; the tests run as root
        for (Path dir : List.of(open, theirs)) {
            assertThat(runUntilThePeriodicDumpFails(dir, base.resolve("stop-" + dir.getFileName()))).startsWith("[threadleak] cannot write periodic dump to " + dir + ": ")
                    .contains(dir == open ? "writable by other users (rwxrwxrwx), not used" : "owned by another user (uid 65534), not used");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).as("files in %s", dir).isEmpty();
            }
        }
    }

    @Test
    void theDefaultDirIsPerUserSoAnotherUsersDirStopsNothing(@TempDir Path tmp) throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("threadleak")); // the old shared default, another user's
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(shared, "unix:uid", 65534);
        Finished run = ChildJvm.run(jdk(), List.of(ChildJvm.agent(""), "-Djava.io.tmpdir=" + tmp), "-cp", ChildJvm.TEST_CP,
                "dev.threadleak.agent.it.apps.StartPaths", "plainThread");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stderr()).isEmpty();
        Path mine = tmp.resolve("threadleak-" + System.getProperty("user.name"));
        assertThat(mine(mine, run.pid())).as("exit dump in %s", mine).hasSize(1);
        try (Stream<Path> files = Files.list(shared)) {
            assertThat(files).isEmpty();
        }
    }

    /** Dumps in {@code dir} of the RunUntil JVM stopped by {@code stop} (its command line names it); dumps pruned meanwhile are skipped. */
    private static List<Path> byRun(Path dir, Path stop) {
        List<Path> out = new java.util.ArrayList<>();
        for (Path p : ChildJvm.dumps(dir)) {
            try {
                if (ChildJvm.readDump(p).command().contains(stop.toString())) out.add(p);
            } catch (Exception gone) {
                // pruned while listed, or being renamed
            }
        }
        return out;
    }

    /** This pid's dumps in {@code dir}, oldest first; none while the directory does not exist. */
    private static List<Path> mine(Path dir, long pid) {
        return ChildJvm.dumps(dir).stream().filter(p -> p.getFileName().toString().startsWith("threadleak-" + pid + "-")).toList();
    }

    private static List<String> names(List<Path> paths) {
        return paths.stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Parses the whole file as JSON; a dump pruned meanwhile may be gone when {@code mayBeGone}. */
    private static void assertCompleteDump(Path file, long pid, boolean mayBeGone) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            if (mayBeGone) return;
            throw e;
        }
        assertThat(root.path("format").asText()).as("%s", file).isEqualTo("threadleak-dump/1");
        assertThat(root.path("pid").asLong()).isEqualTo(pid);
        assertThat(root.path("threads").isArray()).isTrue();
        assertThat(root.path("threads").size()).isPositive();
    }
}
