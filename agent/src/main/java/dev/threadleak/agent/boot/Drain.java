package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.registry.Registry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The drain thread, {@code threadleak-drain}: it only drains thread starts, so that no sample, dump or set-up, however
 * long, keeps a burst of starts waiting (starts that find the pending records full wait for it: {@link Registry#accept}).
 * In the quiet first second it runs only when a burst wakes it, and then prepares to sample their stacks; after, every
 * {@link Registry#DRAIN_MILLIS} and whenever a burst wakes it. It survives any Throwable, out-of-memory included.
 */
final class Drain implements Runnable {
    static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(Registry.DRAIN_MILLIS);
    private final Registry registry;
    private final Log log;

    Drain(Registry registry, Log log) {
        this.registry = registry;
        this.log = log;
    }

    @Override
    public void run() {
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AgentStart.QUIET_START_MILLIS);
        while (true) {
            try {
                long quietLeft = quietUntil - System.nanoTime();
                LockSupport.parkNanos(quietLeft > 0 ? quietLeft : DRAIN_NANOS);
                registry.drainStarts();
                if (quietLeft > 0) registry.prepareSampling(); // woken early: a burst, each start capturing its stack until keys sample them
            } catch (Throwable t) {
                try {
                    log.warnOnce("drain", "agent drain failed (will keep trying): " + t);
                } catch (Throwable unsaid) {
                    // out of memory: nothing to say it with
                }
            }
        }
    }
}
