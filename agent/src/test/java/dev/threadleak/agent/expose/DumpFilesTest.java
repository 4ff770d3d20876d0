package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodecTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpFilesTest {
    @TempDir
    Path dir;

    @Test
    void aWriteRemovesTempFilesLeftByAKilledJvmButNotFreshOnes() throws Exception {
        Path stale = Files.writeString(dir.resolve(".threadleak-77-123.tmp"), "{\"format\"");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Path fresh = Files.writeString(dir.resolve(".threadleak-78-456.tmp"), "{\"format\"");
        Path other = Files.writeString(dir.resolve("notes.tmp"), "mine");
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));

        Snapshot s = SnapshotCodecTest.sample();
        Path written = new DumpFiles(dir, 3).write(s);

        assertThat(written).exists().hasFileName("threadleak-4242-19700101T000002000Z.json");
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
    }

    @Test
    void keepsTheNewestDumpsOfThisProcessOnly() throws Exception {
        Path otherProcess = Files.writeString(dir.resolve("threadleak-99-19700101T000000001Z.json"), "{}");
        DumpFiles files = new DumpFiles(dir, 2);
        Snapshot s = SnapshotCodecTest.sample();
        for (long t = 10; t < 15; t++) {
            files.write(new Snapshot(s.pid(), t, s.jvmStartedAtMs(), s.agentStartedAtMs(), s.javaVersion(), s.command(),
                    s.summary(), s.sites(), s.threads(), s.blockedThresholdMs(), s.deadlocks(), s.findings(), s.executors()));
        }
        assertThat(DumpFiles.dumps(dir)).extracting(p -> p.getFileName().toString()).containsExactly(
                "threadleak-99-19700101T000000001Z.json",
                "threadleak-4242-19700101T000000013Z.json",
                "threadleak-4242-19700101T000000014Z.json");
        assertThat(otherProcess).exists();
        assertThat(DumpFiles.newest(dir)).hasValue(dir.resolve("threadleak-4242-19700101T000000014Z.json"));
    }
}
