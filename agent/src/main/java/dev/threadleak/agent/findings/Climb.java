package dev.threadleak.agent.findings;

import java.util.Arrays;

/**
 * One site's count of owners ({@link History#sharedOwner}: for most sites, its live threads) over its whole history, in
 * bounded memory: the current climb (the samples since the count last fell back by more than a small dip), its new
 * highs, and a few of its points for the evidence.
 *
 * <p>{@link #leaking} judges it. Every threshold is a count of threads or of new highs, or a ratio of times,
 * never a duration: the verdict is the same for one thread a second sampled every second and one an hour
 * sampled every hour.
 */
final class Climb {
    /**
     * A climb gains at least this many threads, and more than the deepest fall the site has ever made (a site whose
     * count swings by 10 is judged on climbs of more than 10) ... A site first seen with one thread is found at its
     * 9th however slowly they come; a cache that stops at 8 clients is never a finding (one that grows slowly
     * to more looks like a leak until it stops, then no longer: see {@link #STALL_GAPS}).
     */
    static final int MIN_GAIN = 8;
    /** ... in at least this many samples that set a new high, so one step is not a trend ... */
    static final int MIN_HIGHS = 3;
    /** ... and its latest new high is at most this many mean gaps between new highs old: it still climbs. */
    static final int STALL_GAPS = 4;
    /** Points kept for the evidence (thinned to every other one when full). */
    static final int POINTS = 12;

    private long startMs;
    private int start;
    private int high;
    private long highMs;
    private int highs;
    /** The largest rise between two samples: a climb made of one jump is a burst or a pool starting. */
    private int maxJump;
    /** The deepest fall that ended a climb, over the site's whole history: how much its count swings. */
    private int maxFall;
    private int last;
    private long[] pointMs = new long[POINTS];
    private int[] point = new int[POINTS];
    private int points;
    private boolean begun;

    /** Adds one sample: the site's owners at {@code timeMs}. */
    void add(long timeMs, int live) {
        if (!begun || live < high - allowedDip()) {
            if (begun) maxFall = Math.max(maxFall, high - live);
            begin(timeMs, live);
        } else if (live > high) {
            maxJump = Math.max(maxJump, live - high);
            high = live;
            highMs = timeMs;
            highs++;
            keep(timeMs, live);
        }
        last = live;
    }

    private void begin(long timeMs, int live) {
        begun = true;
        startMs = highMs = timeMs;
        start = high = last = live;
        highs = maxJump = points = 0;
        keep(timeMs, live);
    }

    /** A fall of at most a quarter of the gain (at least one thread) does not end a climb: a leak may lose one now and then. */
    private int allowedDip() {
        return Math.max(1, (high - start) / 4);
    }

    private void keep(long timeMs, int live) {
        if (points == POINTS) { // every other one, keeping the first; the newest goes last
            for (int i = 1; i < POINTS / 2; i++) {
                pointMs[i] = pointMs[2 * i];
                point[i] = point[2 * i];
            }
            points = POINTS / 2;
        }
        pointMs[points] = timeMs;
        point[points++] = live;
    }

    /**
     * A leak, however slow: gained at least {@link #MIN_GAIN} (and more than its deepest fall) since the climb began, at its high now (give or take
     * the allowed dip), in at least {@link #MIN_HIGHS} new highs none of which made half the gain, the latest within
     * {@link #STALL_GAPS} mean gaps. Call after adding the sample judged.
     */
    boolean leaking(long nowMs) {
        int gain = high - start;
        if (gain < MIN_GAIN || gain <= maxFall || highs < MIN_HIGHS || last < high - allowedDip() || 2 * maxJump > gain) return false;
        long meanGap = (highMs - startMs) / highs;
        return nowMs - highMs <= STALL_GAPS * meanGap;
    }

    long startMs() { return startMs; }
    int gain() { return last - start; }
    /** The latest sample's live count. */
    int live() { return last; }
    long[] pointMs() { return Arrays.copyOf(pointMs, points); }
    int[] points() { return Arrays.copyOf(point, points); }

    Climb copy() {
        Climb c = new Climb();
        c.startMs = startMs;
        c.start = start;
        c.high = high;
        c.highMs = highMs;
        c.highs = highs;
        c.maxJump = maxJump;
        c.maxFall = maxFall;
        c.last = last;
        c.pointMs = pointMs.clone();
        c.point = point.clone();
        c.points = points;
        c.begun = begun;
        return c;
    }
}
