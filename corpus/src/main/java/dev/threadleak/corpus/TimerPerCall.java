package dev.threadleak.corpus;

import java.util.Timer;
import java.util.TimerTask;

/** java.util.Timer: a timer per call never cancelled, against one timer for the program. */
public final class TimerPerCall {
    private static final Timer SHARED = new Timer("poller", true);

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            Timer timer = new Timer("poller-" + n); // LEAK: a timer thread per call
            timer.schedule(poll(), 0, 50);
        }, n -> SHARED.schedule(poll(), 0));
    }

    private static TimerTask poll() {
        return new TimerTask() {
            @Override
            public void run() {
            }
        };
    }
}
