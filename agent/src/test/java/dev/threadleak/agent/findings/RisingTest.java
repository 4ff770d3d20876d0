package dev.threadleak.agent.findings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RisingTest {
    @Test
    void risingIsMostlyUpTwiceOrMoreAtItsHighestNowAndByTheGainAsked() {
        assertThat(Rising.rising(List.of(0, 4, 8), 8)).isTrue();
        assertThat(Rising.rising(List.of(0, 10, 5, 12), 8)).as("a dip, forgiven").isTrue();
        assertThat(Rising.rising(List.of(0, 4, 7), 8)).as("gained 7").isFalse();
        assertThat(Rising.rising(List.of(0, 8), 8)).as("one step up").isFalse();
        assertThat(Rising.rising(List.of(0, 12, 10), 8)).as("not at its highest now").isFalse();
        assertThat(Rising.rising(List.of(0, 9, 8, 7, 10), 8)).as("down more often than up").isFalse();
    }

    @Test
    void keptRisingNeverFalls() {
        assertThat(Rising.keptRising(List.of(5L, 5L, 6L, 7L))).isTrue();
        assertThat(Rising.keptRising(List.of(5L, 6L))).as("one step up").isFalse();
        assertThat(Rising.keptRising(List.of(5L, 6L, 5L, 7L, 8L))).as("a dip").isFalse();
        assertThat(Rising.keptRising(List.of(3L))).isFalse();
        assertThat(Rising.keptRising(List.of())).isFalse();
    }
}
