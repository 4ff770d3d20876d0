package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void eachRangeHasItsUnit() {
        assertThat(Durations.human(0)).isEqualTo("0ms");
        assertThat(Durations.human(850)).isEqualTo("850ms");
        assertThat(Durations.human(999)).isEqualTo("999ms");
        assertThat(Durations.human(1_000)).isEqualTo("1.0s");
        assertThat(Durations.human(9_900)).isEqualTo("9.9s");
        assertThat(Durations.human(60_000)).isEqualTo("1m00s");
        assertThat(Durations.human(723_000)).isEqualTo("12m03s");
        assertThat(Durations.human(3_599_999)).isEqualTo("59m59s");
        assertThat(Durations.human(3_600_000)).isEqualTo("1h00m");
        assertThat(Durations.human(11_040_000)).isEqualTo("3h04m");
        assertThat(Durations.human(86_399_999)).isEqualTo("23h59m");
        assertThat(Durations.human(86_400_000)).isEqualTo("1d00h");
        assertThat(Durations.human(183_600_000)).isEqualTo("2d03h");
    }

    /** Rounding must not carry a duration into the next unit's value: 59,999 ms is not "60.0s". */
    @Test
    void justUnderAMinuteReadsAsSeconds() {
        assertThat(Durations.human(59_999)).isEqualTo("59.9s");
    }

    /** Output for people reads like jstack: the same on every machine, whatever its locale. */
    @Test
    void aDecimalPointWhateverTheLocale() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(Durations.human(9_900)).isEqualTo("9.9s");
        } finally {
            Locale.setDefault(before);
        }
    }
}
