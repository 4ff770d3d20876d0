package dev.threadleak.agent.foreign;

import java.util.List;

/**
 * The threads of one JVM at one instant, as one JDK dump holds them.
 *
 * @param pid         the process id, or -1 when the input does not say (jstack's text)
 * @param javaVersion the runtime's version, or null
 * @param input       what wrote it, in words: a report says it ({@code jstack dump}, {@code JFR recording})
 * @param jvmStartedAtMs epoch ms the JVM started, or -1 when the input does not say
 * @param command     the main class or jar and its arguments, or empty when the input does not say
 */
record JdkDump(long takenAtMs, long pid, String javaVersion, String input, List<JdkThread> threads, long jvmStartedAtMs, String command) {

    /** A dump that does not say when the JVM started or what it runs. */
    JdkDump(long takenAtMs, long pid, String javaVersion, String input, List<JdkThread> threads) {
        this(takenAtMs, pid, javaVersion, input, threads, -1, "");
    }
}
