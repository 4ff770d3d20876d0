package dev.threadleak.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Sampling;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SampleBudgetTest {
    private static final long FIVE_S = TimeUnit.SECONDS.toNanos(5);

    private static long ms(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void samplesOverTheBudgetStretchTheIntervalToKeepThemWithinOnePercentOfACore() {
        SampleBudget budget = new SampleBudget(FIVE_S);
        assertThat(budget.afterSample(ms(130))).as("the first sample never stretches it").isEqualTo(FIVE_S);
        assertThat(budget.afterSample(ms(120))).as("two in a row over 50 ms: 1% of a core").isEqualTo(ms(12_000));
        assertThat(budget.sampling()).isEqualTo(new Sampling(5_000, 12_000, 120));
        assertThat(budget.sampling().stretched()).isTrue();
        assertThat(budget.everyNanos()).isEqualTo(ms(12_000));
        assertThat(budget.afterSample(ms(20))).as("one cheap sample is enough to relax it").isEqualTo(FIVE_S);
        assertThat(budget.sampling().stretched()).isFalse();
    }

    @Test
    void oneSlowSampleDoesNotStretchTheInterval() {
        SampleBudget budget = new SampleBudget(FIVE_S);
        budget.afterSample(ms(10));
        assertThat(budget.afterSample(ms(400))).as("a sample descheduled on a busy machine, between cheap ones").isEqualTo(FIVE_S);
        assertThat(budget.afterSample(ms(10))).isEqualTo(FIVE_S);
    }

    @Test
    void aSmallJvmKeepsTheIntervalItWasGivenHoweverShort() {
        SampleBudget budget = new SampleBudget(ms(100));
        budget.afterSample(ms(4));
        assertThat(budget.afterSample(ms(4))).as("4 ms every 100 ms is 4% of a core, but under the 5 ms a stretch starts at")
                .isEqualTo(ms(100));
        assertThat(budget.afterSample(ms(6))).as("the cheaper of the last two, 4 ms").isEqualTo(ms(100));
        assertThat(budget.afterSample(ms(6))).isEqualTo(ms(600));
    }
}
