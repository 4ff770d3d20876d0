package dev.threadleak.samples;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * LEAK: every call makes a {@link Session} that refreshes its token every 10 minutes on a scheduler of its own; the
 * session is dropped when the call ends and never closed. Nothing holds the scheduler any more but its own worker, so
 * nothing can ever shut it down: one worker per call, alive forever, waking every 10 minutes. {@code threadleak prove}
 * proves it from the first call: no time-based rule can say so before many calls have piled up.
 */
public final class ForgottenScheduler {

    static final class Session implements AutoCloseable {
        private final ScheduledExecutorService refresher;

        Session() {
            refresher = Executors.newSingleThreadScheduledExecutor(); // LEAK: a scheduler per session, never shut down when the session is dropped
            refresher.scheduleAtFixedRate(Session::refreshToken, 10, 10, TimeUnit.MINUTES);
        }

        static void refreshToken() {
            Samples.work(1);
        }

        @Override
        public void close() {
            refresher.shutdownNow();
        }
    }

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ForgottenScheduler: one call every 100 ms for %d s;"
                + " each call opens a session with its own refresh scheduler and drops it unclosed",
                n -> {
                    Session session = new Session();
                    Samples.work(n);
                });
        System.exit(0); // the forgotten schedulers' non-daemon workers would keep the JVM alive
    }

    private ForgottenScheduler() {
    }
}
