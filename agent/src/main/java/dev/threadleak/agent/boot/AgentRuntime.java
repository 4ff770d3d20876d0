package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.expose.AgentCost;
import dev.threadleak.agent.expose.DumpWriter;
import dev.threadleak.agent.expose.HttpEndpoint;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.expose.ThreadLeakBean;
import dev.threadleak.agent.expose.ThreadLeakMXBean;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.hook.ThreadLeakHook;
import dev.threadleak.agent.install.HookCache;
import dev.threadleak.agent.install.HookInstaller;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.registry.ExecutorTable;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteTable;
import dev.threadleak.agent.registry.ThreadFacts;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.sample.Sampler.Depth;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.names.SharedNames;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.ObjIntConsumer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * The agent: {@link #start} hooks the JDK in premain (or agentmain) and wires the parts; after premain, one daemon
 * thread, {@code threadleak-agent}, decodes new creation stacks, drops ended threads and writes a dump every
 * {@code interval}; a shutdown hook writes the last dump. Nothing here may take the host down: every failure is
 * one {@code [threadleak]} line on stderr.
 */
public final class AgentRuntime implements ThreadLeakBean.Source, HttpEndpoint.Source {
    /** The one agent of this JVM, once started. */
    private static volatile AgentRuntime runtime;
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
    private volatile DumpWriter dumps;
    /** The HTTP endpoint, when the {@code http} option asks for it and it started. */
    private HttpEndpoint http;
    /** Dumps written and the time they took writing (the agent's own cost): several threads may dump at once (JMX, exit). */
    private final AtomicLong dumpsWritten = new AtomicLong(),
            dumpNanos = new AtomicLong();

    private AgentRuntime(Options options, Registry registry, HookFailures hookFailures, long startedAtMs, Log log) {
        this.log = log;
        this.options = options;
        this.registry = registry;
        this.hookFailures = hookFailures;
        this.startedAtMs = startedAtMs;
    }

    /**
     * Starts the agent (from premain or agentmain: the hooks now, the rest on the agent's threads); false (and nothing
     * done but one line) when it is loaded already. {@code attachId} is the attach that loads it, or null.
     */
    public static synchronized boolean start(Options options, Instrumentation inst, String attachId, Log log) {
        if (runtime != null || HookInstaller.alreadyInstalled()) {
            log.warn("agent already loaded in this JVM; ignoring the second load");
            return false;
        }
        long startedAtMs = System.currentTimeMillis();
        log.debugging(options.debug());
        Registry registry = newRegistry(options);
        HookFailures hookFailures = HookFailures.NONE;
        try {
            HookInstaller.openToAgent(inst);
            hookFailures = HookInstaller.install(inst, sinks(registry), HookCache.in(options.dir(), agentJar(), log), log);
            // after the hooks: the warm-up's executor paths load ThreadPoolExecutor, which the hooks define when not yet loaded
            Registry standIn = newRegistry(options);
            standIn.warmUp();
            standIn.executorTable().warmUp();
        } catch (HookInstaller.NotHooked e) {
            log.warn(e.getMessage());
        } catch (Throwable t) {
            log.warn("cannot hook Thread.start, thread creation sites will not be recorded: " + t);
        }
        try {
            runtime = new AgentRuntime(options, registry, hookFailures, startedAtMs, log);
            runtime.startThreads();
        } catch (Throwable t) {
            log.warn("cannot start the agent's thread, no dumps will be written: " + t);
        }
        try {
            if (attachId != null) System.setProperty(Wire.ATTACH_PROPERTY, attachId);
            System.setProperty(Wire.DIR_PROPERTY, options.dir().toString());
        } catch (Throwable t) {
            // only the attach tool's message is poorer for it
        }
        return true;
    }

    private static Registry newRegistry(Options options) {
        return new Registry(new SiteTable(options.depth(), new Blame(options.app()), options.sites()),
                new ExecutorTable(options.submissions()), options.starts());
    }

    /**
     * What each field of the hook class is set to. The hook class sees JDK types only, so the sinks are JDK
     * functional interfaces (premain: no lambdas, see ARCHITECTURE.md).
     */
    private static Map<String, Object> sinks(Registry registry) {
        ExecutorTable executors = registry.executorTable();
        Map<String, Object> sinks = new HashMap<>();
        sinks.put("onStart", registry);
        sinks.put(SharedNames.HOOK_VIEW_FIELD, new ThreadFacts(registry));
        sinks.put("onExecutor", new ExecutorSink(executors, ExecutorSink.LIFE_CYCLE));
        sinks.put("onWorker", new ExecutorSink(executors, ExecutorSink.WORKER));
        sinks.put("onSubmit", new ExecutorSink(executors, ExecutorSink.SUBMITTED));
        sinks.put("onRun", new ExecutorSink(executors, ExecutorSink.RUNNING));
        return sinks;
    }

    /**
     * The executor hooks' four sinks, one class (each class is loaded in premain): which hook an instance serves is its
     * {@code hook}. One class also keeps the hook class's shared call to its sinks monomorphic.
     */
    private static final class ExecutorSink implements ObjIntConsumer<Object>, BiConsumer<Object, Object> {
        static final int LIFE_CYCLE = 0, WORKER = 1, SUBMITTED = 2, RUNNING = 3;
        private final ExecutorTable executors;
        private final int hook;

        ExecutorSink(ExecutorTable executors, int hook) {
            this.executors = executors;
            this.hook = hook;
        }

        /** onExecutor: built, or shut down. */
        @Override
        public void accept(Object executor, int event) {
            if (event == ThreadLeakHook.CREATED) executors.created(executor);
            else executors.shutdown(executor);
        }

        /** onWorker, onSubmit, onRun. */
        @Override
        public void accept(Object executor, Object value) {
            switch (hook) {
                case WORKER -> executors.worker(executor, (Thread) value);
                case SUBMITTED -> executors.submitted(executor, value);
                default -> executors.running(executor, value);
            }
        }
    }

    /** The agent jar (where the hooked classes' cache is keyed to it), or null when it cannot be told. */
    private static Path agentJar() {
        try {
            return Path.of(AgentRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Throwable t) {
            return null;
        }
    }

    /** Called from premain: registers the exit dump (cheap), starts the drain thread and the agent thread, which does the rest. */
    private void startThreads() {
        // anonymous classes (premain: no lambdas, see ARCHITECTURE.md)
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
        Thread drain = new Thread(new Runnable() {
            @Override
            public void run() {
                drainLoop();
            }
        }, "threadleak-drain");
        drain.setDaemon(true);
        registry.markAgentThread(drain);
        registry.setDrainer(drain);
        drain.start();
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
     * @param rehearse write the first sample to a file that is then deleted ({@link DumpWriter#rehearse}): a
     *                 class whose initializer runs out of memory is unusable for the JVM's life, so every class
     *                 a dump needs is initialized now, while the host has memory, not at the first dump
     */
    private synchronized boolean init(boolean rehearse) {
        if (pipeline != null) return true;
        try {
            // first the threads that predate the agent: any seen after this without a start of theirs is the JVM's (Sampler.read)
            registry.addUnseen(Sampler.platformThreads(), startedAtMs, Origin.BEFORE_AGENT);
            for (Class<?> c : new Class<?>[] {SnapshotCodec.class, Findings.class, History.class, NamePattern.class, Durations.class,
                    TextReport.class, TextReport.Body.class, DumpWriter.class, DumpDirectory.class, Sampler.class}) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
            registry.prepareSampling();
            for (String fallback : registry.fallbacks()) log.debug(fallback, fallback);
            DumpWriter d = new DumpWriter(options.dir(), options.keep(), log::warnOnce);
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
     * The drain thread: it only drains thread starts, so that no sample, dump or set-up, however long, keeps a burst of
     * starts waiting (starts that find the pending records full wait for it: {@link Registry#accept}). In the quiet
     * first second it runs only when a burst wakes it, and then prepares to sample their stacks; after, every
     * {@link Registry#DRAIN_MILLIS} and whenever a burst wakes it. It survives any Throwable, out-of-memory included.
     */
    private void drainLoop() {
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_START_MILLIS);
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

    /**
     * The agent thread: after the quiet first second it sets up sampling and dumps, then samples and dumps on schedule.
     * It survives any Throwable, out-of-memory included.
     */
    private void loop() {
        long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_START_MILLIS);
        long dumpNanos = options.interval().toNanos(), sampleNanos = options.sample().toNanos();
        long nextDump = 0, nextSample = 0, nextInit = quietUntil;
        boolean initTried = false, ready = false, mbeanDone = false;
        while (true) {
            try {
                // the quiet second: nothing on this thread, so a JVM still starting (or a short one) shares no CPU with it
                LockSupport.parkNanos(initTried ? DRAIN_NANOS : Math.max(1, quietUntil - System.nanoTime()));
                if (http != null) http.interruptSlowRequests();
                long now = System.nanoTime();
                if (!ready) {
                    // set-up waits for the quiet second to pass; if it fails (said once), thread starts still
                    // drain every round, and it is tried again every INIT_RETRY_MILLIS (out of memory passes)
                    if (now - nextInit < 0) continue;
                    initTried = true;
                    nextInit = now + TimeUnit.MILLISECONDS.toNanos(INIT_RETRY_MILLIS);
                    if (!init(true)) continue;
                    ready = true;
                    if (options.http() != null) http = startHttp();
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
     * that attaches starts (jconsole, {@code threadleak dump}); checked every round of the agent thread, so within
     * {@link Registry#DRAIN_MILLIS} ms of it. The
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

    /** Called on the agent's thread (a daemon: the server's threads inherit it); null when it cannot start (said once). */
    private HttpEndpoint startHttp() {
        try {
            // read again (it was checked at launch) by the rule of launch: regular file, bounded, so this thread never blocks on it
            String token = options.token() == null ? null : Options.readToken(options.token());
            HttpEndpoint endpoint = HttpEndpoint.start(this, options.http(), token, options.threads(), options.health(), log, registry::markAgentThread);
            registry.markAgentThreadsStartedBy(Thread.currentThread()); // the JDK server's own threads, started on this one
            return endpoint;
        } catch (Throwable t) {
            String why = t instanceof Options.BadTokenFile ? "token file '" + options.token() + "' " + t.getMessage() : t.toString();
            log.warn(Printable.oneLine("cannot start the HTTP endpoint on " + options.http() + ": " + why
                    + "; /metrics, /health and /debug/threads are off"));
            return null;
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
        DumpWriter d = dumps;
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
