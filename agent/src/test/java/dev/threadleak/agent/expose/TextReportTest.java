package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextReportTest {
    private static String header(Summary summary) {
        Snapshot s = new Snapshot(42, 10_000, 0, 1_000, "17.0.9", "com.acme.Main", summary, List.of(), List.of(), 60_000,
                List.of(), List.of(), List.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new TextReport(s, out).header("test");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theHeaderWarnsOfHookFailuresOnlyWhenThereWereAny() {
        Summary none = new Summary(0, 0, 0, 0, 0, 0, 0, Map.of(), 0, 0, 0, 0);
        assertThat(header(none)).doesNotContain("hook");
        assertThat(header(none.withHookFailures(3, "java.lang.IllegalStateException: boom"))).contains(
                "warning: the agent's hook failed 3 times (the application went on; those events are not recorded),"
                        + " first: java.lang.IllegalStateException: boom\n");
    }
}
