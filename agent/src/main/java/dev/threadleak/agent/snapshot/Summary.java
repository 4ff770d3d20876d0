package dev.threadleak.agent.snapshot;

/**
 * Totals at the snapshot instant, like pprof's {@code goroutine profile: total N}.
 *
 * Counts leave out threadleak's own threads.
 *
 * @param live          live threads (platform and virtual)
 * @param daemon        live daemon threads
 * @param virtual       live virtual threads
 * @param peak          peak live platform threads since the JVM started (ThreadMXBean)
 * @param jvmStarted    platform threads started since the JVM started (ThreadMXBean)
 * @param agentStarted  threads (platform and virtual) started since the agent loaded
 */
public record Summary(int live, int daemon, int virtual, int peak, long jvmStarted, long agentStarted) {}
