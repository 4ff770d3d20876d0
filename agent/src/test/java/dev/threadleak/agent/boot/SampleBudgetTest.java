package dev.threadleak.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Sampling;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SampleBudgetTest {
    private static final long FIVE_S = TimeUnit.SECONDS.toNanos(5);
    private static final long MANY = 10_000;

    private static long ms(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void samplesOverTheBudgetStretchTheIntervalToKeepThemWithinOnePercentOfACore() {
        SampleBudget budget = new SampleBudget(FIVE_S);
        assertThat(budget.afterSample(ms(130), MANY)).as("the first sample never stretches it").isEqualTo(FIVE_S);
        assertThat(budget.afterSample(ms(120), MANY)).as("two in a row over 50 ms: 1% of a core").isEqualTo(ms(12_000));
        assertThat(budget.sampling()).isEqualTo(new Sampling(5_000, 12_000, 120));
        assertThat(budget.sampling().stretched()).isTrue();
        assertThat(budget.everyNanos()).isEqualTo(ms(12_000));
        assertThat(budget.afterSample(ms(20), MANY)).as("one cheap sample is enough to relax it").isEqualTo(FIVE_S);
        assertThat(budget.sampling().stretched()).isFalse();
    }

    @Test
    void oneSlowSampleDoesNotStretchTheInterval() {
        SampleBudget budget = new SampleBudget(FIVE_S);
        budget.afterSample(ms(10), MANY);
        assertThat(budget.afterSample(ms(400), MANY)).as("a sample descheduled on a busy machine, between cheap ones").isEqualTo(FIVE_S);
        assertThat(budget.afterSample(ms(10), MANY)).isEqualTo(FIVE_S);
    }

    /** A young JVM's samples run the agent's code interpreted: slow for a few threads, which is not what the budget is for. */
    @Test
    void aSmallJvmWhoseSamplesAreSlowWhileItsCodeIsColdKeepsItsInterval() {
        SampleBudget budget = new SampleBudget(ms(500));
        budget.afterSample(ms(10), 37);
        assertThat(budget.afterSample(ms(10), 37)).as("37 threads, 10 ms each: cold code").isEqualTo(ms(500));
        assertThat(budget.sampling().stretched()).isFalse();
        assertThat(budget.afterSample(ms(10), SampleBudget.STRETCH_FROM_THREADS)).as("as many threads as a stretch starts at").isEqualTo(ms(1_000));
    }

    @Test
    void aSmallJvmKeepsTheIntervalItWasGivenHoweverShort() {
        SampleBudget budget = new SampleBudget(ms(100));
        budget.afterSample(ms(4), MANY);
        assertThat(budget.afterSample(ms(4), MANY)).as("4 ms every 100 ms is 4% of a core, but under the 5 ms a stretch starts at")
                .isEqualTo(ms(100));
        assertThat(budget.afterSample(ms(6), MANY)).as("the cheaper of the last two, 4 ms").isEqualTo(ms(100));
        assertThat(budget.afterSample(ms(6), MANY)).isEqualTo(ms(600));
    }
}
