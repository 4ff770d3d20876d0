package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.hook.ThreadLeakHook;
import dev.threadleak.agent.install.HookCache;
import dev.threadleak.agent.install.HookInstaller;
import dev.threadleak.agent.registry.ExecutorTable;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.ThreadFacts;
import dev.threadleak.names.SharedNames;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ObjIntConsumer;

/**
 * The agent's start, in premain (or agentmain): hooks the JDK, wires the hooks to the registry and starts the agent's
 * threads, {@link Drain} and {@link AgentLoop}, and registers {@link ExitDump}; everything heavier waits for
 * {@link SetUp}, off premain. Runs in premain, so it loads as few classes as it can, and no lambda (see {@link #sinks}).
 * Nothing here may take the host down: every failure is one {@code [threadleak]} line on stderr.
 */
public final class AgentStart {
    /**
     * For its first second the agent only records thread starts: JMX, the sampler and dumps wait, so that a
     * short-lived JVM pays nothing for them (they cost more than a hello-world's whole run). A JVM that ends
     * sooner with no thread it started still alive gets no exit dump either: it has nothing to report.
     */
    static final long QUIET_START_MILLIS = 1000;
    /** The one agent of this JVM has started. */
    private static boolean started;

    private AgentStart() {}

    /**
     * Starts the agent (from premain or agentmain: the hooks now, the rest on the agent's threads); false (and nothing
     * done but one line) when it is loaded already. {@code attachId} is the attach that loads it, or null.
     */
    public static synchronized boolean start(Options options, Instrumentation inst, String attachId, Log log) {
        if (started || HookInstaller.alreadyInstalled()) {
            log.warn("agent already loaded in this JVM; ignoring the second load");
            return false;
        }
        long startedAtMs = System.currentTimeMillis();
        log.debugging(options.debug());
        Registry registry = new Registry(options);
        HookFailures hookFailures = HookFailures.NONE;
        SetUp setUp = null;
        try {
            setUp = new SetUp(options, registry, startedAtMs, log);
            startThreads(options, registry, setUp, startedAtMs, log);
        } catch (Throwable t) {
            log.warn("cannot start the agent's thread, no dumps will be written: " + t);
        }
        started = true;
        try {
            HookInstaller.openToAgent(inst);
            hookFailures = HookInstaller.install(inst, sinks(registry), HookCache.in(options.dir(), agentJar(), log), log);
        } catch (HookInstaller.NotHooked e) {
            log.warn(e.getMessage());
        } catch (Throwable t) {
            log.warn("cannot hook Thread.start, thread creation sites will not be recorded: " + t);
        }
        if (setUp != null) setUp.hooked(hookFailures);
        try {
            if (attachId != null) System.setProperty(Wire.ATTACH_PROPERTY, attachId);
            System.setProperty(Wire.DIR_PROPERTY, options.dir().toString());
        } catch (Throwable t) {
            // only the attach tool's message is poorer for it
        }
        return true;
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

    /** The agent jar (where the hooked classes' cache is keyed to it; what {@code prove()} runs), or null when it cannot be told. */
    static Path agentJar() {
        try {
            return Path.of(AgentStart.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Registers the exit dump (cheap) and starts the drain thread and the agent thread, which does the rest. Before the
     * hooks are in: the agent's own threads are not the application's, and premain records and captures nothing for
     * them (they are listed from the first sample on, flagged as the agent's); the exit dump's start, which comes
     * through the hooks, is left out by the registry ({@link Registry#startsUnrecorded}).
     */
    private static void startThreads(Options options, Registry registry, SetUp setUp, long startedAtMs, Log log) {
        Thread exitDump = new Thread(new ExitDump(registry, setUp, startedAtMs), "threadleak-exit-dump");
        registry.markAgentThread(exitDump);
        registry.startsUnrecorded(exitDump);
        Runtime.getRuntime().addShutdownHook(exitDump);
        Thread drain = new Thread(new Drain(registry, options, log), "threadleak-drain");
        drain.setDaemon(true);
        registry.markAgentThread(drain);
        registry.setDrainer(drain);
        drain.start();
        Thread loop = new Thread(new AgentLoop(options, registry, setUp, log), "threadleak-agent");
        loop.setDaemon(true);
        registry.markAgentThread(loop);
        loop.start();
    }
}
