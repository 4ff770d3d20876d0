package dev.threadleak.agent;

import dev.threadleak.agent.boot.AgentStart;
import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.Wire;
import java.lang.instrument.Instrumentation;

/**
 * Entry points: {@code -javaagent:threadleak-agent.jar[=options]} ({@link #premain}) and dynamic attach
 * ({@link #agentmain}). Both parse the options, install the start hooks and return; everything heavier
 * (Jackson, JMX, the dump thread) starts afterwards on the agent's own thread.
 */
public final class Agent {
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
        AgentStart.start(options, inst, null, LOG);
    }

    /**
     * On attach, bad options go back to the attaching tool as the exception; the target JVM is untouched. A second
     * load is one line on the target and no exception (the JDK would print the exception's whole stack trace on the
     * target's stderr): the attaching tool learns it lost from {@link Wire#ATTACH_PROPERTY}.
     */
    public static void agentmain(String args, Instrumentation inst) {
        if (!permitted()) throw new IllegalStateException("threadleak not started: the SecurityManager's policy does not grant it AllPermission");
        String attachId = Wire.attachId(args);
        Options options = Options.parse(Wire.options(args));
        if (AgentStart.start(options, inst, attachId, LOG)) return;
        if (attachId == null) { // an attach tool that does not read ATTACH_PROPERTY: the exception is its only answer
            throw new IllegalStateException("threadleak is already loaded in this JVM (dumps go to "
                    + System.getProperty(Wire.DIR_PROPERTY, "its dir") + "); not loaded again");
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
}
