package dev.threadleak.bench;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The JVM configurations the JMH benchmarks compare, as fork arguments. Paths are RELATIVE: JMH forks
 * inherit the working directory of the JMH process, and {@code scripts/bench} runs JMH from {@code bench/},
 * so {@code ../agent/target/threadleak-agent.jar} is the agent the reactor just built. Every benchmark
 * checks in its setup that its fork really runs the configuration its name says (see {@link #verify}),
 * so a wrong working directory fails loudly instead of measuring the wrong thing.
 */
public final class Configs {
    /** The real agent: no periodic dumps, dumps (only the exit one) under target/. */
    public static final String AGENT =
            "-javaagent:../agent/target/threadleak-agent.jar=interval=0,dir=target/threadleak-bench-dumps";
    /** The real agent capturing every task submission's stack ({@code submissions=all}). */
    public static final String AGENT_ALL_SUBMISSIONS = AGENT + ",submissions=all";
    /** The real agent capturing every thread start's stack ({@code starts=all}: exact per-thread creation stacks). */
    public static final String AGENT_ALL_STARTS = AGENT + ",starts=all";
    /**
     * An agent whose premain does nothing: what any {@code -javaagent} costs. On JDK 21+ that is not nothing for virtual
     * threads: a loaded agent turns on JVMTI's notifications of every virtual-thread mount and unmount (JDK-8330969).
     */
    public static final String EMPTY = "-javaagent:target/empty-agent.jar";
    /** JFR recording thread starts with stack traces, nothing else (see jfr/threadstart.jfc). */
    public static final String JFR =
            "-XX:StartFlightRecording=settings=jfr/threadstart.jfc,filename=target/threadleak-bench.jfr";
    public static final String HEAP_MIN = "-Xms1g";
    public static final String HEAP_MAX = "-Xmx1g";

    private Configs() {}

    /** Fails the trial unless the fork runs the configuration named by the benchmark method's name. */
    public static void verify(BenchmarkParams params) {
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        boolean agent = agentLoaded();
        boolean jfr = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:StartFlightRecording")) && jfrRecording();
        // a method's configuration is the end of its name: none, threadleak, jfr, batchNone, batchThreadleakAll, ...
        String lower = method.toLowerCase(java.util.Locale.ROOT);
        boolean ok;
        if (lower.endsWith("threadleak") || lower.endsWith("threadleakall")) ok = agent && !jfr;
        else if (lower.endsWith("jfr")) ok = jfr && !agent;
        else if (lower.endsWith("none")) ok = !agent && !jfr && !emptyAgent();
        else if (lower.endsWith("empty")) ok = !agent && !jfr && emptyAgent();
        else ok = true;
        if (!ok) {
            throw new IllegalStateException("fork of " + method + " runs with agent=" + agent + " jfr=" + jfr
                    + "; run JMH from the bench/ directory after building the agent (scripts/bench does both)");
        }
    }

    /** True when the fork runs with the empty agent (see {@link #EMPTY}). */
    static boolean emptyAgent() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().contains(EMPTY);
    }

    /** True when threadleak's hook class has been defined into java.lang, i.e. the agent hooked Thread.start. */
    static boolean agentLoaded() {
        try {
            Class.forName("java.lang.ThreadLeakHook", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static boolean jfrRecording() {
        try {
            Class<?> fr = Class.forName("jdk.jfr.FlightRecorder");
            Object recorder = fr.getMethod("getFlightRecorder").invoke(null);
            return !((java.util.List<?>) fr.getMethod("getRecordings").invoke(recorder)).isEmpty();
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
