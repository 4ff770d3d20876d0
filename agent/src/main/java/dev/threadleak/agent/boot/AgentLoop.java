package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.registry.Registry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent thread, {@code threadleak-agent}: after the quiet first second it sets up sampling and dumps
 * ({@link SetUp}) and puts up the {@link Views}, then samples and dumps on schedule. It survives any Throwable,
 * out-of-memory included.
 */
final class AgentLoop implements Runnable {
    private static final long INIT_RETRY_MILLIS = 10_000;
    private final Options options;
    private final Registry registry;
    private final SetUp setUp;
    private final Log log;

    AgentLoop(Options options, Registry registry, SetUp setUp, Log log) {
        this.options = options;
        this.registry = registry;
        this.setUp = setUp;
        this.log = log;
    }

    @Override
    public void run() {
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AgentStart.QUIET_START_MILLIS);
        long dumpNanos = options.interval().toNanos();
        long nextDump = 0, nextSample = 0, nextInit = quietUntil;
        boolean initTried = false, mbeanDone = false;
        Dumper dumper = null; // null until set-up is done, and views with it
        Views views = null;
        while (true) {
            try {
                // the quiet second: nothing on this thread, so a JVM still starting (or a short one) shares no CPU with it
                LockSupport.parkNanos(initTried ? Drain.DRAIN_NANOS : Math.max(1, quietUntil - System.nanoTime()));
                long now = System.nanoTime();
                if (dumper == null) {
                    // set-up waits for the quiet second to pass; if it fails (said once), thread starts still
                    // drain every round, and it is tried again every INIT_RETRY_MILLIS (out of memory passes)
                    if (now - nextInit < 0) continue;
                    initTried = true;
                    nextInit = now + TimeUnit.MILLISECONDS.toNanos(INIT_RETRY_MILLIS);
                    Dumper ready = setUp.dumper(true);
                    if (ready == null) continue;
                    views = new Views(ready, options, registry, log);
                    dumper = ready;
                    if (options.http() != null) views.startHttp();
                    nextDump = now + dumpNanos;
                    nextSample = now + ready.pipeline().sampleEveryNanos(); // the rehearsal was the first sample
                }
                if (!mbeanDone) mbeanDone = views.registerMBean();
                if (options.periodicDumps() && now - nextDump >= 0) {
                    dumper.dump(Dumper.PERIODIC);
                    nextDump = System.nanoTime() + dumpNanos;
                    nextSample = System.nanoTime() + dumper.pipeline().sampleEveryNanos(); // a dump is a sample too
                } else if (options.sampling() && now - nextSample >= 0) {
                    long wait = dumper.pipeline().periodic();
                    nextSample = System.nanoTime() + wait;
                }
            } catch (Throwable t) {
                // the message is built inside a try of its own: out of memory, even a string literal's first use
                // allocates, and nothing may escape this loop; unsaid now, it is said at the next failure
                try {
                    log.warnOnce("loop", "agent loop failed (will keep trying): " + t);
                } catch (Throwable unsaid) {
                    // nothing to say it with
                }
            }
        }
    }
}
