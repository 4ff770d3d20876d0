package dev.threadleak.corpus;

import java.time.Instant;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/** Spring: a {@code ThreadPoolTaskScheduler} per call, never shut down, against one scheduler for the program. */
public final class SpringTaskScheduler {
    public static void main(String[] args) throws Exception {
        ThreadPoolTaskScheduler shared = newScheduler();
        Calls.run(args, n -> newScheduler().schedule(() -> remind(n), Instant.now()),
                n -> shared.schedule(() -> remind(n), Instant.now()));
    }

    private static void remind(int n) {
        String unused = Integer.toString(n); // a task that does next to nothing
    }

    private static ThreadPoolTaskScheduler newScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2);
        scheduler.setThreadNamePrefix("reminders-");
        scheduler.initialize(); // LEAK: a pool per call
        return scheduler;
    }
}
