package dev.threadleak.samples;

/** Fixed twin of {@link ForgottenScheduler}: each call's session is closed (its scheduler shut down) when the call ends. */
public final class ForgottenSchedulerFixed {

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ForgottenSchedulerFixed: one call every 100 ms for %d s;"
                + " each call opens a session and closes it when done",
                n -> {
                    try (ForgottenScheduler.Session session = new ForgottenScheduler.Session()) {
                        Samples.work(n);
                    }
                });
        System.exit(0);
    }

    private ForgottenSchedulerFixed() {
    }
}
