package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodecTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpWriterTest {
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
        Path written = new DumpWriter(dir, 3).write(s);

        assertThat(written).exists();
        assertThat(written.getFileName().toString()).matches("threadleak-4242-[0-9a-f]{8}-19700101T000002000Z-000001\\.json");
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
    }

    @Test
    void keepsTheNewestDumpsOfThisJvmOnly() throws Exception {
        Path otherProcess = Files.writeString(dir.resolve("threadleak-99-19700101T000000001Z.json"), "{}");
        Path oldNameSamePid = Files.writeString(dir.resolve("threadleak-4242-19700101T000000002Z.json"), "{}");
        DumpWriter files = new DumpWriter(dir, 2);
        for (long t = 10; t < 15; t++) files.write(at(t));
        String id = files.jvmId();
        assertThat(DumpDirectory.dumps(dir)).extracting(p -> p.getFileName().toString()).containsExactly(
                "threadleak-99-19700101T000000001Z.json",
                "threadleak-4242-19700101T000000002Z.json",
                "threadleak-4242-" + id + "-19700101T000000013Z-000004.json",
                "threadleak-4242-" + id + "-19700101T000000014Z-000005.json");
        assertThat(otherProcess).exists();
        assertThat(oldNameSamePid).as("another JVM's dump, though of the same pid").exists();
    }

    @Test
    void twoJvmsWithOnePidInOneDirKeepTheirOwnDumps() throws Exception {
        // two containers, each JVM pid 1 (here both 4242), sharing a mounted directory
        DumpWriter a = new DumpWriter(dir, 2), b = new DumpWriter(dir, 2);
        assertThat(a.jvmId()).isNotEqualTo(b.jvmId());
        for (long t = 10; t < 20; t++) (t % 2 == 0 ? a : b).write(at(t));
        assertThat(DumpDirectory.dumps(dir)).extracting(p -> p.getFileName().toString()).containsExactly(
                "threadleak-4242-" + a.jvmId() + "-19700101T000000016Z-000004.json",
                "threadleak-4242-" + b.jvmId() + "-19700101T000000017Z-000004.json",
                "threadleak-4242-" + a.jvmId() + "-19700101T000000018Z-000005.json",
                "threadleak-4242-" + b.jvmId() + "-19700101T000000019Z-000005.json");
    }

    @Test
    void aClockSteppedBackwardsKeepsTheDumpsJustWritten() throws Exception {
        DumpWriter files = new DumpWriter(dir, 2);
        List<Path> written = new ArrayList<>();
        for (long t = 50_000; t > 45_000; t -= 1000) {
            Path p = files.write(at(t));
            assertThat(p).as("the dump just written (what JMX dump() returns)").exists();
            written.add(p);
        }
        assertThat(DumpDirectory.dumps(dir)).containsExactlyInAnyOrderElementsOf(written.subList(3, 5));
    }

    @Test
    void aDumpThatCannotBeDeletedIsOneWarningNotAFailedWrite() throws Exception {
        List<String> warnings = new ArrayList<>();
        DumpWriter files = new DumpWriter(dir, 1, (key, message) -> {
            if (warnings.stream().noneMatch(w -> w.startsWith(key + ":"))) warnings.add(key + ": " + message);
        });
        // an entry named like this JVM's oldest dump that cannot be deleted: a directory with a file in it
        Path stuck = Files.createDirectory(dir.resolve("threadleak-4242-" + files.jvmId() + "-19700101T000000001Z-000000.json"));
        Files.writeString(stuck.resolve("x"), "x");
        for (long t = 10; t < 13; t++) assertThat(files.write(at(t))).exists();
        assertThat(warnings).singleElement().asString().startsWith("prune: cannot delete old dump " + stuck);
        assertThat(DumpDirectory.dumps(dir)).hasSize(1);
    }

    @Test
    void aDirectoryOthersMayWriteIsNotUsed() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> new DumpWriter(shared, 3).write(at(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("writable by other users (rwxrwxrwx), not used");
        assertThat(shared).isEmptyDirectory();
    }

    @Test
    void aDirectoryOfAnotherUserIsNotUsed() throws Exception {
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(theirs, "unix:uid", 65534); // nobody; the tests run as root, who may chown
        assertThatThrownBy(() -> new DumpWriter(theirs, 3).write(at(1)))
                .isInstanceOf(IOException.class).hasMessageContaining("owned by another user (uid 65534), not used");
        assertThat(theirs).isEmptyDirectory();
    }

    @Test
    void aSymbolicLinkIsFollowedWhenItAndItsTargetAreThisUsers() throws Exception {
        Path target = Files.createDirectory(dir.resolve("real"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThat(new DumpWriter(link, 3).write(at(1))).exists();
        Files.setAttribute(link, "unix:uid", 65534, java.nio.file.LinkOption.NOFOLLOW_LINKS); // the link is another user's
        assertThatThrownBy(() -> new DumpWriter(link, 3).write(at(2))).hasMessageContaining("owned by another user (uid 65534)");
    }

    private static Snapshot at(long takenAtMs) {
        Snapshot s = SnapshotCodecTest.sample();
        return s.toBuilder().takenAtMs(takenAtMs).build();
    }
}
