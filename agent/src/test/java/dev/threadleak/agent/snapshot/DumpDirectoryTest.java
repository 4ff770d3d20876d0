package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DumpDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void newestIsByTheDumpsOwnTimeNotItsName() throws Exception {
        dump(1_000, 1);
        Path real = dump(2_000, 2);
        Files.writeString(dir.resolve("threadleak-1-20991231T235959999Z.json"), "not a dump");
        Files.writeString(dir.resolve("threadleak-2-20991231T235959998Z.json"), "{\"format\": \"threadleak-dump/1\", \"takenAtMs\": \"x\"}");
        assertThat(DumpDirectory.newest(dir)).hasValue(real);
        assertThat(DumpDirectory.newestFirst(dir)).first().isEqualTo(real);
    }

    /** A dump taken at {@code takenAtMs}, named as a JVM names its {@code sequence}-th. */
    private Path dump(long takenAtMs, long sequence) throws Exception {
        Snapshot s = SnapshotCodecTest.sample();
        Snapshot at = s.toBuilder().takenAtMs(takenAtMs).build();
        Path file = dir.resolve(DumpDirectory.fileName(at.pid(), "0123abcd", takenAtMs, sequence));
        try (OutputStream out = Files.newOutputStream(file)) {
            SnapshotCodec.write(at, out);
        }
        return file;
    }
}
