package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** The extension run by the JUnit Platform launcher in this JVM (no agent) on a fixture that leaks nothing. */
class ThreadLeakExtensionTest {
    private static final String PARALLEL_WITHOUT_AGENT = "[threadleak] parallel execution without the threadleak agent";

    /** What one run of the fixture printed on stderr, and its summary. */
    private record Run(TestExecutionSummary summary, String stderr) {}

    private static Run run(Map<String, String> parameters) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass("dev.threadleak.junit.fixtures.QuietFixture")).configurationParameters(parameters).build(), listener);
        } finally {
            System.setErr(err);
        }
        return new Run(listener.getSummary(), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void eachRunOfTheTestEngineStartsAfresh() {
        for (int i = 1; i <= 2; i++) {
            Run run = run(Map.of("junit.jupiter.execution.parallel.enabled", "true"));
            assertThat(run.summary().getTestsSucceededCount()).isEqualTo(1);
            assertThat(run.summary().getTotalFailureCount()).isZero();
            // said once per run, not once per JVM
            assertThat(run.stderr()).as("run %d", i).containsOnlyOnce(PARALLEL_WITHOUT_AGENT);
        }
    }

    @Test
    void configurationParametersReadAlikeInEveryLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR")); // "fail".toUpperCase() is "FAİL" there
        try {
            Run run = run(Map.of(ThreadLeakExtension.ON_LEAK_PARAMETER, "fail", ThreadLeakExtension.SCOPE_PARAMETER, "class"));
            assertThat(run.summary().getFailures()).extracting(TestExecutionSummary.Failure::getException).isEmpty();
            assertThat(run.summary().getTestsSucceededCount()).isEqualTo(1);
        } finally {
            Locale.setDefault(before);
        }
    }
}
