package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextReportTest {
    private static String header(Summary summary) {
        Snapshot s = Snapshot.builder().pid(42).takenAtMs(10_000).agentStartedAtMs(1_000).javaVersion("17.0.9").command("com.acme.Main")
                .summary(summary).blockedThresholdMs(60_000).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new TextReport(s, out).header("test");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theHeaderWarnsOfHookFailuresOnlyWhenThereWereAny() {
        Summary none = Summary.builder().build();
        assertThat(header(none)).doesNotContain("hook");
        assertThat(header(none.toBuilder().hookFailures(3).firstHookFailure("java.lang.IllegalStateException: boom").build())).contains(
                "warning: the agent's hook failed 3 times (the application went on; those events are not recorded),"
                        + " first: java.lang.IllegalStateException: boom\n");
    }
}
