package dev.threadleak.samples;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Timer;

/**
 * LEAK: every call creates a new {@code java.util.Timer} ("report-timer-N") to schedule one report
 * and never cancels it. The Timer's thread is NON-daemon (the default {@code Timer(String)} constructor)
 * and is started by the constructor itself; after its single task has run it waits forever for more,
 * so one thread is leaked per call. The timers are kept "to cancel later" and never are: an unreachable
 * Timer's thread is ended by the JDK once the Timer is collected (since JDK 9), so a leak that lasts is one
 * whose timers stay reachable, as here.
 */
public final class TimerPerCall {

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "TimerPerCall: one call every 100 ms for %d s;"
                + " each call creates a non-daemon Timer to schedule a report and never cancels it",
                TimerPerCall::scheduleReport);
        // The leaked Timer threads are non-daemon and would keep the JVM alive: exit deliberately.
        System.exit(0);
    }

    /** Every Timer made, kept to cancel later; nothing ever does. */
    private static final List<Timer> TIMERS = Collections.synchronizedList(new ArrayList<>());

    static void scheduleReport(int n) {
        Timer timer = new Timer("report-timer-" + n); // LEAK: a Timer (and its thread) per call, never cancelled
        TIMERS.add(timer);
        timer.schedule(new ReportTask(n), 20);
    }

    private TimerPerCall() {
    }
}
