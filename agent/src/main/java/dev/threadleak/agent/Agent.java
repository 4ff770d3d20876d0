package dev.threadleak.agent;

import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteTable;
import java.lang.instrument.Instrumentation;

/**
 * Entry points: {@code -javaagent:threadleak-agent.jar[=options]} ({@link #premain}) and dynamic attach
 * ({@link #agentmain}). Both parse the options, install the start hooks and return; everything heavier
 * (Jackson, JMX, the dump thread) starts afterwards on the agent's own thread.
 */
public final class Agent {
    private static volatile AgentRuntime runtime;

    private Agent() {}

    public static void premain(String args, Instrumentation inst) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.BadOption e) {
            // Like a bad JVM flag: one line, and the JVM does not start.
            System.err.println("threadleak: " + e.getMessage());
            System.exit(1);
            return;
        }
        start(options, inst);
    }

    /** On attach, bad options go back to the attaching tool as the exception; the target JVM is untouched. */
    public static void agentmain(String args, Instrumentation inst) {
        start(Options.parse(args), inst);
    }

    private static synchronized void start(Options options, Instrumentation inst) {
        if (runtime != null || HookInstaller.alreadyInstalled()) {
            Log.warn("agent already loaded in this JVM; ignoring the second load");
            return;
        }
        long startedAtMs = System.currentTimeMillis();
        Registry registry = new Registry(new SiteTable(options.depth(), new Blame(options.app())));
        try {
            registry.warmUp();
            HookInstaller.install(inst, registry);
        } catch (Throwable t) {
            Log.warn("cannot hook Thread.start, thread creation sites will not be recorded: " + t);
        }
        runtime = new AgentRuntime(options, registry, startedAtMs);
        runtime.start();
    }
}
