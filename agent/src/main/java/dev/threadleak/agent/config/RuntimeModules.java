package dev.threadleak.agent.config;

/**
 * The JDK modules a part of threadleak needs beyond {@code java.base}, for runtimes that may lack them (a jlinked
 * runtime has only the modules it was linked with). Each is looked up only where it is needed, after a failure or
 * before a command that cannot work without it, so a full JDK pays nothing at start-up. The sets are listed in
 * docs/where-services-run.md and tested by {@code it/RuntimesIT}.
 */
public final class RuntimeModules {
    /** Sampling, dumps, the JMX bean and the HTTP endpoint: ThreadMXBean and the platform MBean server. */
    public static final String MANAGEMENT = "java.management";
    /** The thread stack size ({@code -Xss}), read through HotSpot's diagnostic MXBean. */
    public static final String JDK_MANAGEMENT = "jdk.management";
    /** The CLI's {@code list}, {@code attach} and {@code dump}: the attach API. */
    public static final String ATTACH = "jdk.attach";
    /** The CLI's {@code dump}: the JMX client's RMI connector, which reaches the target's local connector. */
    public static final String MANAGEMENT_RMI = "java.management.rmi";

    private RuntimeModules() {}

    /** Whether {@code module} is missing from this runtime's boot layer. */
    public static boolean absent(String module) {
        return ModuleLayer.boot().findModule(module).isEmpty();
    }

    /** The one line that says so: {@code <what> needs module <module>, absent from this runtime: <cost>}. */
    public static String missing(String what, String module, String cost) {
        return what + " needs module " + module + ", absent from this runtime (" + System.getProperty("java.home") + "): " + cost;
    }
}
