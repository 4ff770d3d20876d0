package dev.threadleak.agent.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code /health}'s own thresholds, the options {@code health.live}, {@code health.delta} and {@code health.longBlocked},
 * each named after the field of {@code /health} it bounds: a value above its threshold makes {@code /health} answer
 * 503. {@link #NONE} when not given. Plain numbers, so that parsing the options in premain loads nothing more.
 */
public record HealthLimits(long live, long delta, long longBlocked) {
    /** No threshold: no value is above it. */
    public static final long NONE = Long.MAX_VALUE;
    public static final HealthLimits OFF = new HealthLimits(NONE, NONE, NONE);

    /** One line per threshold crossed, in the option's terms: {@code live 1,204 > health.live 1,000}; empty when none is. */
    public List<String> crossed(long liveNow, long deltaNow, long longBlockedNow) {
        List<String> reasons = new ArrayList<>(3);
        above(reasons, "live", liveNow, live);
        above(reasons, "delta", deltaNow, delta);
        above(reasons, "longBlocked", longBlockedNow, longBlocked);
        return reasons;
    }

    private static void above(List<String> reasons, String field, long value, long limit) {
        if (value > limit) reasons.add(String.format(Locale.ROOT, "%s %,d > health.%s %,d", field, value, field, limit));
    }
}
