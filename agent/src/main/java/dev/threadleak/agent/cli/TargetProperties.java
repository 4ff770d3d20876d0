package dev.threadleak.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import java.util.Properties;

/** Reads a system property of another JVM through the attach API (module jdk.attach). */
final class TargetProperties {
    /** Not known: the target's properties could not be read. */
    static final String UNKNOWN = new String("?");

    private TargetProperties() {}

    /** Whether {@code value}, from {@link #read}, is {@link #UNKNOWN}: the properties could not be read. */
    @SuppressWarnings("ReferenceEquality") // the sentinel is its own instance: a property whose value is "?" is not it
    static boolean unknown(String value) {
        return value == UNKNOWN;
    }

    /** The property's value, null when the target has no such property, {@link #UNKNOWN} (test with {@link #unknown}) when it cannot be read. */
    static String read(String pid, String name) {
        Properties all = readAll(pid);
        return all == null ? UNKNOWN : all.getProperty(name);
    }

    /** The target's system properties, in one attach; null when they cannot be read. */
    static Properties readAll(String pid) {
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                return vm.getSystemProperties();
            } finally {
                vm.detach();
            }
        } catch (Throwable t) {
            // no jdk.attach (a JRE), another user's JVM, or gone: the caller says less, nothing more
            return null;
        }
    }
}
