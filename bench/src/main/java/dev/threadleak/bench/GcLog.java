package dev.threadleak.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GC pauses of a window of time, from a log written with {@link #jvmOption}: {@code -Xlog:gc} decorated with
 * wall-clock milliseconds, so the pauses can be matched to the load run's window. A line reads
 * {@code [1764467000123ms] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 24M->3M(512M) 2.345ms}.
 */
record GcLog(double youngMs, double youngMaxMs, int youngCount, double otherPauseMs, double heapAfterMaxMb) {
    private static final Pattern PAUSE = Pattern.compile(
            "^\\[(\\d+)ms\\] GC\\(\\d+\\) Pause (\\w+).*? (\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\) ([\\d.]+)ms$");

    static String jvmOption(Path log) {
        return "-Xlog:gc:file=" + log + ":timemillis";
    }

    /** Pauses logged between fromMillis and toMillis (wall clock); young ones apart from the rest (remark, full...). */
    static GcLog read(Path log, long fromMillis, long toMillis) throws IOException {
        double young = 0, youngMax = 0, other = 0, heapAfterMax = 0;
        int count = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher m = PAUSE.matcher(line);
            if (!m.matches()) continue;
            long at = Long.parseLong(m.group(1));
            if (at < fromMillis || at > toMillis) continue;
            double ms = Double.parseDouble(m.group(7));
            if (m.group(2).equals("Young")) {
                young += ms;
                youngMax = Math.max(youngMax, ms);
                count++;
                heapAfterMax = Math.max(heapAfterMax, mb(Long.parseLong(m.group(5)), m.group(6)));
            } else {
                other += ms;
            }
        }
        return new GcLog(young, youngMax, count, other, heapAfterMax);
    }

    private static double mb(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024.0;
            case "M" -> value;
            default -> value * 1024.0;
        };
    }
}
