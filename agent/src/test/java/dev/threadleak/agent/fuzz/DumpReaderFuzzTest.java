package dev.threadleak.agent.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The dump reader on any bytes: a Snapshot or a {@link DumpFormatException}, never any other exception; and
 * what it returns, the report prints without failing (the CLI's promise: bad input is one line, exit 2).
 * Seeds and kept crashes: {@code src/test/resources/dev/threadleak/agent/fuzz/DumpReaderFuzzTestInputs/}.
 * Every test run replays them; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (.ci/run does).
 */
class DumpReaderFuzzTest {
    private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

    @FuzzTest(maxDuration = "10s")
    @DictionaryEntries({"\"format\"", "\"threadleak-dump/1\"", "\"takenAtMs\"", "\"frames\"", "\"stacks\"", "\"sites\"",
            "\"threads\"", "\"findings\"", "\"deadlocks\"", "\"summary\"", "\"states\"", "\"blame\"", "\"site\"", "\"stack\"",
            "\"tid\"", "\"lockOwner\"", "\"starter\"", "\"monitorsOwned\"", "\"depth\"", "\"origin\"", "\"STARTED\"",
            "\"sinceMs\"", "\"startedAtMs\"", "\"waitingForMs\"", "\"line\"", "\"id\"", "-1", "null", "9223372036854775807",
            "-9223372036854775808", "1e400", "[]", "{}"})
    void readGivesASnapshotOrDumpFormatException(byte[] input) {
        Snapshot snapshot;
        try {
            snapshot = SnapshotCodec.read(new ByteArrayInputStream(input), "fuzz.json");
        } catch (DumpFormatException expected) {
            return;
        }
        TextReport.write(snapshot, "fuzz.json", TextReport.Body.FINDINGS_AND_GROUPS, NOWHERE);
        TextReport.write(snapshot, "fuzz.json", TextReport.Body.THREADS, NOWHERE);
    }
}
