package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Finding.Kind;
import dev.threadleak.agent.snapshot.Finding.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What turns {@code /health} to 503: a deadlock at once, a site's growth once it has held for three samples in a row. */
class HealthPolicyTest {
    private static Finding of(Kind kind, Severity severity) {
        return new Finding(kind, severity, "t", 1, 9, 0, List.of());
    }

    @Test
    void siteGrowthFailsHealthOnlyOnceItHasHeldForThreeSamples() {
        Finding growth = of(Kind.SITE_GROWTH, Severity.HIGH);
        assertThat(HttpEndpoint.unhealthy(growth.raised(1, 1_000))).isFalse();
        assertThat(HttpEndpoint.unhealthy(growth.raised(2, 1_000))).isFalse();
        assertThat(HttpEndpoint.unhealthy(growth.raised(3, 1_000))).isTrue();
        assertThat(HttpEndpoint.unhealthy(of(Kind.DEADLOCK, Severity.CRITICAL).raised(1, 1_000))).isTrue();
        assertThat(HttpEndpoint.unhealthy(of(Kind.PROVEN_LEAK, Severity.HIGH).raised(1, 1_000))).as("a proof needs no more samples").isTrue();
        for (Kind other : List.of(Kind.GROWTH, Kind.LONG_BLOCKED, Kind.STUCK_TASK, Kind.UNCLOSED_EXECUTORS, Kind.DUPLICATE_STACKS)) {
            assertThat(HttpEndpoint.unhealthy(of(other, Severity.HIGH).raised(100, 1_000))).as("%s", other).isFalse();
        }
    }
}
