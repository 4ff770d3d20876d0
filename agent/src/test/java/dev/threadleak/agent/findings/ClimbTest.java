package dev.threadleak.agent.findings;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** The whole-history rule on hand-made series: one sample a second, unless said otherwise. */
class ClimbTest {
    /** The first sample (0-based) at which the climb reads as leaking, or -1 if it never does. */
    private static int firstLeaking(int samples, long sampleMs, IntUnaryOperator live) {
        Climb c = new Climb();
        for (int i = 0; i < samples; i++) {
            c.add(i * sampleMs, live.applyAsInt(i));
            if (c.leaking(i * sampleMs)) return i;
        }
        return -1;
    }

    /** How many samples leak at the end of the series. */
    private static boolean leakingAtEnd(int[] series) {
        Climb c = new Climb();
        for (int i = 0; i < series.length; i++) c.add(i * 1000L, series[i]);
        return c.leaking((series.length - 1) * 1000L);
    }

    @Test
    void aSteadyLeakIsFoundAfterTheSameNumberOfThreadsWhateverItsRateOrTheSampleInterval() {
        // one leaked thread every 1, 10 and 100 samples (the first one makes the site): found at its 9th thread
        for (int every : new int[] {1, 4, 10, 100}) { // 4: issue 14's executor every 20 s, sampled every 5 s
            for (long sampleMs : new long[] {1_000, 30_000, 3_600_000}) {
                int found = firstLeaking(1_000 * every, sampleMs, i -> 1 + i / every);
                assertThat(found).as("a thread every %d samples of %d ms", every, sampleMs).isEqualTo(8 * every);
                assertThat(1 + found / every).as("leaked threads when found").isLessThanOrEqualTo(10);
            }
        }
    }

    @Test
    void aSlowLeakThatLosesAThreadNowAndThenIsStillFound() {
        // +1 every 10 samples, and every 30 samples one of them ends (a collected Timer)
        // found when 9 are alive, at sample 110 (12 started, 3 ended)
        assertThat(firstLeaking(2_000, 1000, i -> 1 + i / 10 - i / 30)).isEqualTo(110);
    }

    @Test
    void aStepThenAPlateauIsNot() {
        assertThat(leakingAtEnd(new int[] {2, 2, 2, 12, 12, 12, 12, 12, 12, 12, 12, 12})).isFalse();
        // a step with a few small rises after it: the step made most of the gain
        assertThat(leakingAtEnd(new int[] {2, 2, 10, 11, 12, 13})).isFalse();
    }

    @Test
    void aClimbThatStoppedIsNoLongerALeak() {
        // a cache of 8 clients, one built every 10 samples, then no more: never a finding
        assertThat(firstLeaking(1_000, 1000, i -> 1 + Math.min(7, i / 10))).isEqualTo(-1);
        // one of 16: looks like a leak while it grows, then no longer once it stopped for 4 mean gaps
        Climb c = new Climb();
        boolean everLeaking = false;
        for (int i = 0; i < 400; i++) {
            c.add(i * 1000L, 1 + Math.min(15, i / 10));
            if (i < 160) everLeaking |= c.leaking(i * 1000L);
            else if (i > 150 + 4 * 10) assertThat(c.leaking(i * 1000L)).as("sample %d", i).isFalse();
        }
        assertThat(everLeaking).as("while it still grew, it looked like a leak").isTrue();
    }

    @Test
    void aSawtoothIsNot() {
        // bursts of 20 that drain, again and again
        int[] saw = new int[200];
        for (int i = 0; i < saw.length; i++) saw[i] = (i % 20) < 10 ? 2 * (i % 20) : 0;
        Climb c = new Climb();
        for (int i = 0; i < saw.length; i++) {
            c.add(i * 1000L, saw[i]);
            if (i >= 20) assertThat(c.leaking(i * 1000L)).as("sample %d", i).isFalse();
        }
    }

    @Test
    void aNoisyPlateauIsNot() {
        Random random = new Random(42);
        Climb c = new Climb();
        for (int i = 0; i < 10_000; i++) {
            c.add(i * 1000L, 20 + random.nextInt(11) - 5);
            if (i >= 100) assertThat(c.leaking(i * 1000L)).as("sample %d", i).isFalse();
        }
    }

    @Test
    void moreOwnersFromTheSiteAreALeak() {
        // one more single-thread executor every 10 samples, never shut down (a pool filling is one owner: FindingsTest)
        assertThat(firstLeaking(1_000, 1000, i -> 1 + i / 10)).isEqualTo(80);
    }

    @Test
    void itsEvidenceIsBoundedAndKeepsTheFirstAndNewestPoints() {
        Climb c = new Climb();
        for (int i = 0; i < 1_000; i++) c.add(i * 1000L, 1 + i);
        assertThat(c.points()).hasSizeLessThanOrEqualTo(Climb.POINTS).startsWith(1).endsWith(1000);
        assertThat(c.pointMs()).startsWith(0L).endsWith(999_000L);
        assertThat(c.gain()).isEqualTo(999);
    }
}
