package dev.threadleak.agent.snapshot;

import java.util.List;

/**
 * The one model of a JVM's threads at an instant: what the agent captures, what dump files hold, what the
 * CLI reads back. Every view renders this; none recomputes its facts.
 *
 * @param pid            process id of the JVM
 * @param takenAtMs      epoch ms of the snapshot
 * @param jvmStartedAtMs epoch ms the JVM started
 * @param agentStartedAtMs epoch ms the agent loaded
 * @param javaVersion    {@code java.version} of the JVM
 * @param command        the JVM's main class or jar and arguments, as {@code sun.java.command} gives them
 * @param sites          every creation site seen since the agent loaded, by id
 * @param threads        live threads, in start order
 */
public record Snapshot(long pid, long takenAtMs, long jvmStartedAtMs, long agentStartedAtMs, String javaVersion,
                       String command, Summary summary, List<SiteInfo> sites, List<ThreadEntry> threads) {

    public static final String FORMAT = "threadleak-dump/1";

    public SiteInfo site(int id) {
        return id >= 0 && id < sites.size() ? sites.get(id) : null;
    }
}
