package dev.threadleak.samples;

import java.util.Timer;

/**
 * Fixed twin of {@link TimerPerCall}: all calls schedule their report on one shared Timer
 * ("report-timer", non-daemon, like the leaky twin's), which is cancelled at the end.
 */
public final class TimerPerCallFixed {

    private static final Timer TIMER = new Timer("report-timer");

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "TimerPerCallFixed: one call every 100 ms for %d s;"
                + " all calls schedule reports on one shared Timer, cancelled at the end",
                TimerPerCallFixed::scheduleReport);
        TIMER.cancel();
        System.exit(0);
    }

    static void scheduleReport(int n) {
        TIMER.schedule(new ReportTask(n), 20);
    }

    private TimerPerCallFixed() {
    }
}
