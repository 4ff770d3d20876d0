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

/** Dump files: rotation, names, permissions, atomic writes, and a directory that cannot be written. */
class DumpFilesIT {
    private static final String RUN_UNTIL = "dev.threadleak.agent.it.apps.RunUntil";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Jdk jdk() {
        return ChildJvm.jdks().get(0);
    }

    @Test
    void keepsTheNewestDumpsOnlyEachCompleteAndPrivate() throws Exception {
        Path base = Files.createTempDirectory("tl-rot-");
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
                        .hasSize(3);
            }
            assertThat(tooMany).as("listings of %s that held more than keep+1 dumps of pid %d", dir, child.pid()).isEmpty();
            assertThat(none).as("listings of %s with no dump", dir).isEmpty();
        }
    }

    @Test
    void anUnwritableDirIsReportedOnceAndTheAppRunsOn() throws Exception {
        Path base = Files.createTempDirectory("tl-unwritable-");
        Files.createFile(base.resolve("file"));
        Path dir = base.resolve("file").resolve("dumps"); // its parent is a regular file: cannot be created, even by root
        // HealthyService runs 2 s: about 10 intervals of 200 ms, plus the exit dump, all failing
        Finished run = ChildJvm.run(jdk(), List.of(ChildJvm.agent("dir=" + dir + ",interval=200ms")),
                "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.HealthyService", "2");
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("HealthyService: runs for 2 s with 4 pooled workers doing bursts of tasks,"
                + " a few short-lived threads and a 200 ms ticker; no leak\n");
        assertThat(ChildJvm.lines(run.stderr())).singleElement().asString()
                .startsWith("[threadleak] cannot write periodic dump to " + dir + ": ")
                .contains("Not a directory")
                .endsWith("(will retry every 0.2s)");
    }

    @Test
    void writingResumesOnceTheDirBecomesWritable() throws Exception {
        Path base = Files.createTempDirectory("tl-retry-");
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
