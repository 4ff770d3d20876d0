package dev.threadleak.agent.snapshot;

import java.util.Locale;

/** Durations for people: {@code 850ms}, {@code 9.9s}, {@code 12m03s}, {@code 3h04m}, {@code 2d03h}. */
public final class Durations {
    private Durations() {}

    public static String human(long ms) {
        if (ms < 1_000) return ms + "ms";
        if (ms < 60_000) return ms / 1000 + "." + ms % 1000 / 100 + "s"; // truncated, so never "60.0s"; no locale
        long s = ms / 1000;
        if (s < 3_600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        if (s < 86_400) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }
}
