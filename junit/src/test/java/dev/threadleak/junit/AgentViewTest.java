package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-attach in this JVM, asked for with no agent jar there: the check goes on without the agent. */
class AgentViewTest {
    @Test
    void selfAttachIsTriedOncePerJvmUntilForgotten(@TempDir Path dir) {
        Path jar = dir.resolve("threadleak-agent.jar"); // not there
        String warning = "[threadleak] cannot self-attach: no agent jar at " + jar;
        String attach = System.getProperty("threadleak.attach"), agentJar = System.getProperty("threadleak.agentJar");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setProperty("threadleak.attach", "true");
        System.setProperty("threadleak.agentJar", jar.toString());
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            AgentView.forgetSelfAttach();
            assertThat(ThreadLeaks.agentPresent()).isFalse();
            assertThat(ThreadLeaks.agentPresent()).isFalse();
            assertThat(captured.toString(StandardCharsets.UTF_8)).containsOnlyOnce(warning);

            AgentView.forgetSelfAttach();
            assertThat(ThreadLeaks.agentPresent()).isFalse();
            assertThat(captured.toString(StandardCharsets.UTF_8).split(java.util.regex.Pattern.quote(warning), -1)).hasSize(3);
        } finally {
            System.setErr(err);
            restore("threadleak.attach", attach);
            restore("threadleak.agentJar", agentJar);
            AgentView.forgetSelfAttach();
        }
    }

    private static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }
}
