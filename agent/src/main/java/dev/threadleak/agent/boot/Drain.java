package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.registry.Registry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The drain thread, {@code threadleak-drain}: it only drains thread starts, so that no sample, dump or set-up, however
 * long, keeps a burst of starts waiting (starts that find the pending records full wait for it: {@link Registry#accept}).
 * In the quiet first second it runs only when a burst wakes it, and then prepares to sample their stacks; after, every
 * {@link Registry#DRAIN_MILLIS} while starts or tasks come (less often, down to once every
 * {@link Registry#IDLE_DRAIN_MILLIS}, while none do) and whenever a burst wakes it. It survives any Throwable,
 * out-of-memory included.
 */
final class Drain implements Runnable {
    static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(Registry.DRAIN_MILLIS);
    private final Registry registry;
    /** The options to warm the hooks' paths up with; null once done. */
    private Options warmUp;
    private final Log log;

    Drain(Registry registry, Options options, Log log) {
        this.registry = registry;
        this.warmUp = options;
        this.log = log;
    }

    @Override
    public void run() {
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AgentStart.QUIET_START_MILLIS);
        long pause = DRAIN_NANOS;
        while (true) {
            try {
                long quietLeft = quietUntil - System.nanoTime();
                LockSupport.parkNanos(quietLeft > 0 ? quietLeft : pause);
                if (warmUp != null) {
                    warmUp(warmUp);
                    warmUp = null;
                }
                pause = DRAIN_NANOS; // should the drain fail
                pause = TimeUnit.MILLISECONDS.toNanos(registry.drainStarts());
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

    /**
     * Runs the hooks' paths once on a stand-in registry, so that their classes are loaded and initialized while the host
     * has memory: a host thread out of memory then never fails to load one (the hooks would swallow it, and the start
     * would go unrecorded). At the drain thread's first wake (the quiet second's end, or a burst's first drain), not in
     * premain nor beside the application's own start: a JVM that ends sooner never pays for it.
     */
    private void warmUp(Options options) {
        try {
            Registry standIn = new Registry(options);
            standIn.warmUp();
            standIn.executorTable().warmUp(); // loads ThreadPoolExecutor, hooked by now
        } catch (Throwable t) {
            try {
                log.warnOnce("warm-up", "agent warm-up failed (the hooks run all the same): " + t);
            } catch (Throwable unsaid) {
                // out of memory: nothing to say it with
            }
        }
    }
}
