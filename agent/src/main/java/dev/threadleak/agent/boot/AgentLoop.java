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
    /**
     * How often, until the MXBean is registered, the loop looks for a platform MBean server to register it in: a tool that
     * attaches starts one, and {@code threadleak dump <pid>} waits two seconds for the bean.
     */
    static final long MBEAN_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The longest the loop sleeps when nothing is scheduled (sampling and periodic dumps off, the MXBean registered). */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);
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
        long nextDump = 0, nextSample = 0, wakeAt = quietUntil;
        boolean mbeanDone = false;
        Dumper dumper = null; // null until set-up is done, and views with it
        Views views = null;
        while (true) {
            try {
                // asleep until something is due: with thousands of threads a wake-up costs the process about 0.4 ms of
                // CPU (RESULTS.md, V), so none is spent on a round with nothing to do; the quiet second is the first wait
                LockSupport.parkNanos(Math.max(1, wakeAt - System.nanoTime()));
                long now = System.nanoTime();
                if (now - wakeAt < 0) continue; // woken early (parkNanos may return spuriously)
                wakeAt = now + Drain.DRAIN_NANOS; // should this round fail: tried again at the drain's pace
                if (dumper == null) {
                    // set-up waits for the quiet second to pass; if it fails (said once), it is tried again every
                    // INIT_RETRY_MILLIS (out of memory passes)
                    wakeAt = now + TimeUnit.MILLISECONDS.toNanos(INIT_RETRY_MILLIS);
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
                wakeAt = next(options.periodicDumps() ? nextDump : Long.MAX_VALUE, options.sampling() ? nextSample : Long.MAX_VALUE,
                        mbeanDone ? Long.MAX_VALUE : System.nanoTime() + MBEAN_CHECK_NANOS);
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

    /** The earliest of three nanoTime deadlines ({@code Long.MAX_VALUE}: none), or {@link #IDLE_NANOS} from now. */
    private static long next(long a, long b, long c) {
        long idle = System.nanoTime() + IDLE_NANOS, next = idle;
        if (a != Long.MAX_VALUE && a - next < 0) next = a;
        if (b != Long.MAX_VALUE && b - next < 0) next = b;
        if (c != Long.MAX_VALUE && c - next < 0) next = c;
        return next;
    }
}
