package dev.threadleak.agent.findings;

import java.util.List;

/**
 * What "rising" means for a series of counts, oldest first, wherever threadleak says it: the findings' trends across
 * their window (SITE_GROWTH, UNCLOSED_EXECUTORS) and {@code watch}'s sites whose live count kept rising.
 */
public final class Rising {
    /** Rises a trend needs: one step up (a burst of starts, a thread pool starting) is not a trend. */
    static final int MIN_RISES = 2;

    private Rising() {}

    /**
     * Rising, not merely high: mostly up, up at least {@link #MIN_RISES} times, at its highest now, and at least
     * {@code minGain} above where it began.
     */
    public static boolean rising(List<? extends Number> series, long minGain) {
        return rising(series, minGain, true);
    }

    /** Rising and never down between two points: no dip, however small, is forgiven. */
    public static boolean keptRising(List<? extends Number> series) {
        return rising(series, 0, false);
    }

    private static boolean rising(List<? extends Number> series, long minGain, boolean mayFall) {
        if (series.size() <= MIN_RISES) return false;
        int rises = 0, falls = 0;
        long current = series.get(series.size() - 1).longValue();
        boolean highest = true;
        for (int i = 0; i < series.size(); i++) {
            long value = series.get(i).longValue();
            if (value > current) highest = false;
            if (i == 0) continue;
            long previous = series.get(i - 1).longValue();
            if (value > previous) rises++;
            if (value < previous) falls++;
        }
        return highest && rises >= MIN_RISES && rises > falls && (mayFall || falls == 0)
                && current - series.get(0).longValue() >= minGain;
    }
}
