package dev.threadleak.agent;

import dev.threadleak.agent.expose.AgentCost;
import dev.threadleak.agent.expose.DumpFiles;
import dev.threadleak.agent.expose.HttpEndpoint;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.registry.Origin;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.agent.expose.ThreadLeakBean;
import dev.threadleak.agent.expose.ThreadLeakMXBean;
import dev.threadleak.agent.snapshot.Snapshot;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.sample.Sampler.Depth;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent after premain: one daemon thread, {@code threadleak-agent}, that decodes new creation
 * stacks, drops ended threads and writes a dump every {@code interval}; a shutdown hook writes the last
 * dump. Nothing here may take the host down: every failure is one {@code [threadleak]} line on stderr.
 */
public final class AgentRuntime implements ThreadLeakBean.Source, HttpEndpoint.Source {
    private static final long DRAIN_NANOS = TimeUnit.MILLISECONDS.toNanos(Registry.DRAIN_MILLIS);
    /**
     * For its first second the agent only records thread starts: JMX, the sampler and dumps wait, so that a
     * short-lived JVM pays nothing for them (they cost more than a hello-world's whole run). A JVM that ends
     * sooner with no thread it started still alive gets no exit dump either: it has nothing to report.
     */
    static final long QUIET_START_MILLIS = 1000;
    private static final long INIT_RETRY_MILLIS = 10_000;
    /** Why a dump is written (said in its warning when it cannot be). */
    private static final String PERIODIC = "periodic", EXIT = "exit", ON_DEMAND = "on-demand";

    private final Options options;
    private final Registry registry;
    private final HookFailures hookFailures;
    private final Log log;
    private final long startedAtMs;
    private volatile Pipeline pipeline;
    private volatile DumpFiles dumps;
    /** Dumps written and the time they took writing (the agent's own cost): several threads may dump at once (JMX, exit). */
    private final AtomicLong dumpsWritten = new AtomicLong(),
            dumpNanos = new AtomicLong();

    AgentRuntime(Options options, Registry registry, HookFailures hookFailures, long startedAtMs, Log log) {
        this.log = log;
        this.options = options;
        this.registry = registry;
        this.hookFailures = hookFailures;
        this.startedAtMs = startedAtMs;
    }

    /** Called from premain: registers the exit dump (cheap) and starts the agent thread, which does the rest. */
    void start() {
        // anonymous classes, not lambdas: the first lambda costs premain milliseconds of bootstrapping
        Thread exitDump = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    if (System.currentTimeMillis() - startedAtMs >= QUIET_START_MILLIS || registry.anyStartedAlive()) dump(EXIT);
                } catch (Throwable outOfMemory) {
                    // dump() says what failed; this is when even saying it failed
                }
            }
        }, "threadleak-exit-dump");
        registry.markAgentThread(exitDump);
        Runtime.getRuntime().addShutdownHook(exitDump);
        Thread loop = new Thread(new Runnable() {
            @Override
            public void run() {
                loop();
            }
        }, "threadleak-agent");
        loop.setDaemon(true);
        registry.markAgentThread(loop);
        loop.start();
    }

    /**
     * The heavy part of start-up, off premain: run by the loop after the quiet second (or by whoever needs it
     * first: the exit dump, JMX).
     *
     * @param rehearse write the first sample to a file that is then deleted ({@link DumpFiles#rehearse}): a
     *                 class whose initializer runs out of memory is unusable for the JVM's life, so every class
     *                 a dump needs is initialized now, while the host has memory, not at the first dump
     */
    private synchronized boolean init(boolean rehearse) {
        if (pipeline != null) return true;
        try {
            // first the threads that predate the agent: any seen after this without a start of theirs is the JVM's (Sampler.read)
            registry.addUnseen(Sampler.platformThreads(), startedAtMs, Origin.BEFORE_AGENT);
            for (Class<?> c : new Class<?>[] {SnapshotCodec.class, Findings.class, History.class, NamePattern.class, Durations.class,
                    TextReport.class, DumpFiles.class, Sampler.class}) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
            registry.prepareSampling();
            DumpFiles d = new DumpFiles(options.dir(), options.keep(), log::warnOnce);
            Pipeline p = new Pipeline(new Sampler(registry, hookFailures, startedAtMs, options.blocked().toMillis(), options.maskSecrets()),
                    new History(options.window().toMillis()),
                    new Findings.Thresholds(options.blocked().toMillis(), options.duplicates(), options.growth()),
                    Math.max(options.sample().toMillis(), Registry.DRAIN_MILLIS));
            if (rehearse) d.rehearse(p.scheduled(Depth.DUMP).withThreadsListed(options.threads())); // the first sample
            dumps = d;
            pipeline = p; // last: set-up that fails (out of memory) is tried again
            return true;
        } catch (Throwable t) {
            try {
                log.warnOnce("init", "agent failed to start, no dumps will be written (will retry): " + t);
            } catch (Throwable unsaid) {
                // out of memory: nothing to say it with (see loop)
            }
            return false;
        }
    }

    /**
     * The agent thread: in the quiet first second it only drains a burst of starts that wakes it; then it sets up
     * sampling and dumps, drains thread starts every {@link Registry#DRAIN_MILLIS} (sooner when a burst wakes it),
     * and samples and dumps on schedule. It survives any Throwable, out-of-memory included: while it lives, thread
     * starts cannot pile up in the host.
     */
    private void loop() {
        registry.setDrainer(Thread.currentThread());
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_START_MILLIS);
        long dumpNanos = options.interval().toNanos(), sampleNanos = options.sample().toNanos();
        long nextDump = 0, nextSample = 0, nextInit = quietUntil;
        boolean initTried = false, ready = false, mbeanDone = false;
        while (true) {
            try {
                // the quiet second: nothing on this thread unless a burst of starts wakes it, so a JVM still starting
                // (or a short one) shares no CPU with it; after, a drain every round
                LockSupport.parkNanos(initTried ? DRAIN_NANOS : Math.max(1, quietUntil - System.nanoTime()));
                registry.drainStarts();
                long now = System.nanoTime();
                if (!ready) {
                    // set-up waits for the quiet second to pass; if it fails (said once), thread starts still
                    // drain every round, and it is tried again every INIT_RETRY_MILLIS (out of memory passes)
                    if (now - nextInit < 0) continue;
                    initTried = true;
                    nextInit = now + TimeUnit.MILLISECONDS.toNanos(INIT_RETRY_MILLIS);
                    if (!init(true)) continue;
                    ready = true;
                    if (options.http() != null) startHttp();
                    nextDump = now + dumpNanos;
                    nextSample = now + sampleNanos; // the rehearsal was the first sample
                }
                if (!mbeanDone) mbeanDone = registerMBean();
                if (options.periodicDumps() && now - nextDump >= 0) {
                    dump(PERIODIC);
                    nextDump = System.nanoTime() + dumpNanos;
                    nextSample = System.nanoTime() + sampleNanos; // a dump is a sample too
                } else if (options.sampling() && now - nextSample >= 0) {
                    pipeline.scheduled(Depth.PERIODIC);
                    nextSample = System.nanoTime() + sampleNanos;
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

    /**
     * Registers the MXBean once a platform MBean server exists: the application's, a JMX agent's, or the one a tool
     * that attaches starts (jconsole, {@code threadleak dump}); checked at every drain, so within 200 ms of it. The
     * agent does not make one itself: with every platform MXBean (JFR's and the diagnostic commands' among them) it
     * costs 120-140 ms at start-up, for a bean no one may read. True once registered, or once it failed (said once).
     */
    private boolean registerMBean() {
        try {
            if (MBeanServerFactory.findMBeanServer(null).isEmpty()) return false;
            ManagementFactory.getPlatformMBeanServer().registerMBean(new ThreadLeakBean(this), new ObjectName(ThreadLeakMXBean.OBJECT_NAME));
        } catch (Throwable t) {
            log.warn("cannot register the JMX MBean " + ThreadLeakMXBean.OBJECT_NAME + ": " + t);
        }
        return true;
    }

    /** Starts the HTTP endpoint, or says in one line why it cannot. */
    private void startHttp() {
        try {
            // read again (it was checked at launch) by the rule of launch: regular file, bounded, so this thread never blocks on it
            String token = options.token() == null ? null : Options.readToken(options.token());
            HttpEndpoint.start(this, options.http(), token, options.threads(), options.health(), log, registry);
        } catch (Throwable t) {
            String why = t instanceof Options.BadTokenFile ? "token file '" + options.token() + "' " + t.getMessage() : t.toString();
            log.warn(Options.BadOption.oneLine("cannot start the HTTP endpoint on " + options.http() + ": " + why
                    + "; /metrics, /health and /debug/threads are off"));
        }
    }

    @Override
    public Snapshot last() {
        return pipeline.last();
    }

    @Override
    public AgentCost cost() {
        Pipeline p = pipeline;
        return new AgentCost(p.samples(), p.sampleNanos(), dumpsWritten.get(), dumpNanos.get());
    }

    /** The last sample when it is fresh (within one sample interval), else a new one that the history does not keep. */
    @Override
    public Snapshot latest() {
        return pipeline.latest();
    }

    @Override
    public Path dump() {
        return dump(ON_DEMAND);
    }

    @Override
    public void resetBaseline() {
        pipeline.resetBaseline();
    }

    /**
     * Writes a dump now; returns its path, or null (after one warning) when it could not be written. Only
     * {@link #PERIODIC} dumps are samples of the schedule that the history keeps.
     */
    private Path dump(String why) {
        if (!init(false)) return null; // no rehearsal: this dump is the real one
        Pipeline p = pipeline;
        DumpFiles d = dumps;
        try {
            Snapshot s = why.equals(PERIODIC) ? p.scheduled(Depth.DUMP) : p.onDemand(Depth.DUMP);
            long began = System.nanoTime();
            Path written = d.write(s.withThreadsListed(options.threads()));
            dumpNanos.addAndGet(System.nanoTime() - began);
            dumpsWritten.incrementAndGet();
            log.clear("dump");
            return written;
        } catch (Throwable t) {
            boolean retried = options.periodicDumps() && !why.equals(EXIT);
            log.warnOnce("dump", "cannot write " + why + " dump to " + d.dir() + ": " + t
                    + (retried ? " (will retry every " + Durations.human(options.interval().toMillis()) + ")" : ""));
            return null;
        }
    }
}
