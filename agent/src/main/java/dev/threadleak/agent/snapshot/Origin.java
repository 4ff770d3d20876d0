package dev.threadleak.agent.snapshot;

/**
 * How the agent learned of a thread: a fact of the registry, which the snapshot carries (a dump's {@code origin}
 * field is its name).
 */
public enum Origin {
    /** seen starting: has a creation site */
    STARTED,
    /** alive when the agent loaded */
    BEFORE_AGENT,
    /** never went through Thread.start (created by the JVM or attached from native code) */
    BY_JVM
}
