package dev.threadleak.samples;

import java.util.Timer;

/**
 * Fixed twin of {@link TimerPerCall}: all calls schedule their report on one shared Timer
 * ("report-timer", non-daemon, like the leaky twin's), which is cancelled at the end.
 */
public final class TimerPerCallFixed {

    private static final Timer TIMER = new Timer("report-timer");

    public static void main(String[] args) throws Exception {
        int seconds = Samples.seconds(args);
        System.out.println("TimerPerCallFixed: one call every 100 ms for " + seconds
                + " s; all calls schedule reports on one shared Timer, cancelled at the end");
        long deadline = Samples.deadline(seconds);
        int n = 0;
        while (Samples.before(deadline)) {
            scheduleReport(++n);
            Samples.pause(100, deadline);
        }
        TIMER.cancel();
        System.exit(0);
    }

    static void scheduleReport(int n) {
        TIMER.schedule(new ReportTask(n), 20);
    }

    private TimerPerCallFixed() {
    }
}
