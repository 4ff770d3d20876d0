package dev.threadleak.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.threadleak.agent.config.Options;
import java.nio.charset.StandardCharsets;

/**
 * The option parser on any text: Options or {@link Options.BadOption} with a one-line message, never any other
 * exception; and what {@code attach} hands the target parses there to the same options. Seeds and kept crashes:
 * {@code src/test/resources/dev/threadleak/agent/fuzz/OptionsFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class OptionsFuzzTest {
    @FuzzTest(maxDuration = "5s")
    @DictionaryEntries({"dir=", "interval=", "keep=", "depth=", "app=", "sample=", "blocked=", "window=", "growth=",
            "duplicates=", "sites=", ",", "ms", "s", "m", "h", "0", "2147483648", "999999999", "/tmp/x", "com.acme"})
    void parseGivesOptionsOrBadOption(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Options options;
        try {
            options = Options.parse(text);
        } catch (Options.BadOption e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n", "\r");
            return;
        }
        String forTarget;
        try {
            forTarget = Options.forTarget(text);
        } catch (Options.BadOption e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n", "\r");
            return;
        }
        assertThat(Options.parse(forTarget)).as("what the target parses from %s", forTarget).isEqualTo(options);
    }
}
