package dev.threadleak.agent;

import dev.threadleak.agent.hook.ThreadLeakHook;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.registry.Executors;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteTable;
import dev.threadleak.agent.registry.ThreadFacts;
import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.ObjIntConsumer;

/**
 * Entry points: {@code -javaagent:threadleak-agent.jar[=options]} ({@link #premain}) and dynamic attach
 * ({@link #agentmain}). Both parse the options, install the start hooks and return; everything heavier
 * (Jackson, JMX, the dump thread) starts afterwards on the agent's own thread.
 */
public final class Agent {
    private static volatile AgentRuntime runtime;
    /** Where the agent's lines go (the only Log: what it has said once is per agent, not per process). */
    private static final Log LOG = Log.to(System.err);

    private Agent() {}

    public static void premain(String args, Instrumentation inst) {
        if (!permitted()) return;
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.BadOption e) {
            // Like a bad JVM flag: one line, and the JVM does not start.
            System.err.println("threadleak: " + e.getMessage());
            System.exit(1);
            return;
        }
        start(options, inst, null);
    }

    /**
     * System property naming the dump directory of the agent loaded in this JVM: {@code threadleak attach}
     * reads it to tell where dumps go (the target picks the default directory), or that the agent is there already.
     */
    public static final String DIR_PROPERTY = "threadleak.dir";

    /**
     * System property naming the attach that loaded the agent: {@code threadleak attach} passes an id of its own
     * ({@link #withAttachId}) and reads this after loading to tell whether its load started the agent or lost a race
     * to another attach (two at the same moment both find no agent before loading).
     */
    public static final String ATTACH_PROPERTY = "threadleak.attach";
    /** Options from {@code threadleak attach} begin with {@code <this><id><this>}; a user's options never do. */
    private static final char ATTACH_ID = '#';

    /** The agent arguments of an attach whose id is {@code id}. */
    public static String withAttachId(String id, String options) {
        return ATTACH_ID + id + ATTACH_ID + options;
    }

    /**
     * On attach, bad options go back to the attaching tool as the exception; the target JVM is untouched. A second
     * load is one line on the target and no exception (the JDK would print the exception's whole stack trace on the
     * target's stderr): the attaching tool learns it lost from {@link #ATTACH_PROPERTY}.
     */
    public static void agentmain(String args, Instrumentation inst) {
        if (!permitted()) throw new IllegalStateException("threadleak not started: the SecurityManager's policy does not grant it AllPermission");
        String attachId = null;
        if (args != null && !args.isEmpty() && args.charAt(0) == ATTACH_ID && args.indexOf(ATTACH_ID, 1) > 0) {
            attachId = args.substring(1, args.indexOf(ATTACH_ID, 1));
            args = args.substring(args.indexOf(ATTACH_ID, 1) + 1);
        }
        Options options = Options.parse(args);
        if (start(options, inst, attachId)) return;
        if (attachId == null) { // an attach tool that does not read ATTACH_PROPERTY: the exception is its only answer
            throw new IllegalStateException("threadleak is already loaded in this JVM (dumps go to "
                    + System.getProperty(DIR_PROPERTY, "its dir") + "); not loaded again");
        }
    }

    /**
     * Under a SecurityManager (JDK 17 to 23) the agent runs only where the policy grants its jar
     * {@code AllPermission}: it reads every thread, opens {@code java.lang} and writes files, and a half-started
     * agent helps nobody. Without the grant, one line, and the application runs without the agent.
     */
    @SuppressWarnings("removal")
    private static boolean permitted() {
        return System.getSecurityManager() == null || SecurityManagerCheck.grantsAll();
    }

    /** Its own class: the check's exception and permission classes are loaded (for verification) only under a SecurityManager. */
    private static final class SecurityManagerCheck {
        @SuppressWarnings("removal")
        static boolean grantsAll() {
            try {
                java.security.AccessController.checkPermission(new java.security.AllPermission());
                return true;
            } catch (SecurityException e) {
                LOG.warn("not started: the SecurityManager's policy does not grant threadleak-agent.jar java.security.AllPermission ("
                        + e.getMessage() + ")");
                return false;
            }
        }
    }

    /**
     * What each field of the hook class is set to. The hook class sees JDK types only, so the sinks are JDK
     * functional interfaces (premain: no lambdas, see ARCHITECTURE.md).
     */
    private static Map<String, Object> sinks(Registry registry) {
        Executors executors = registry.executorHooks();
        Map<String, Object> sinks = new HashMap<>();
        sinks.put("onStart", registry);
        sinks.put("threads", new ThreadFacts(registry));
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
        private final Executors executors;
        private final int hook;

        ExecutorSink(Executors executors, int hook) {
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

    private static Registry newRegistry(Options options) {
        return new Registry(new SiteTable(options.depth(), new Blame(options.app()), options.sites()),
                new Executors(options.submissions()), options.starts());
    }

    /** Starts the agent; false (and nothing done but one line) when it is loaded already. */
    private static synchronized boolean start(Options options, Instrumentation inst, String attachId) {
        if (runtime != null || HookInstaller.alreadyInstalled()) {
            LOG.warn("agent already loaded in this JVM; ignoring the second load");
            return false;
        }
        long startedAtMs = System.currentTimeMillis();
        LOG.debugging(options.debug());
        Registry registry = newRegistry(options);
        HookFailures hookFailures = HookFailures.NONE;
        try {
            HookInstaller.openToAgent(inst);
            hookFailures = HookInstaller.install(inst, sinks(registry), HookCache.in(options.dir(), LOG), LOG);
            // after the hooks: the warm-up's executor paths load ThreadPoolExecutor, which the hooks define when not yet loaded
            Registry standIn = newRegistry(options);
            standIn.warmUp();
            standIn.executorHooks().warmUp();
        } catch (HookInstaller.NotHooked e) {
            LOG.warn(e.getMessage());
        } catch (Throwable t) {
            LOG.warn("cannot hook Thread.start, thread creation sites will not be recorded: " + t);
        }
        try {
            runtime = new AgentRuntime(options, registry, hookFailures, startedAtMs, LOG);
            runtime.start();
        } catch (Throwable t) {
            LOG.warn("cannot start the agent's thread, no dumps will be written: " + t);
        }
        try {
            if (attachId != null) System.setProperty(ATTACH_PROPERTY, attachId);
            System.setProperty(DIR_PROPERTY, options.dir().toString());
        } catch (Throwable t) {
            // only the attach tool's message is poorer for it
        }
        return true;
    }
}
