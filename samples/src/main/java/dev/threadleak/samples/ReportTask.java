package dev.threadleak.samples;

import java.util.TimerTask;

/** The "report" the Timer samples schedule. */
final class ReportTask extends TimerTask {

    private final int n;

    ReportTask(int n) {
        this.n = n;
    }

    @Override
    public void run() {
        Samples.work(n);
    }
}
