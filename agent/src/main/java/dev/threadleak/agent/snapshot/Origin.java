package dev.threadleak.agent.snapshot;

/**
 * How the agent learned of a thread: a fact of the registry, which the snapshot carries (a dump's {@code origin}
 * field is its name).
 */
public enum Origin {
    /** seen starting: has a creation site */
    STARTED("started"),
    /** alive when the agent loaded */
    BEFORE_AGENT("started before agent"),
    /** never went through Thread.start (created by the JVM or attached from native code) */
    BY_JVM("started by the JVM"),
    /** read from a JDK dump that does not record where threads were started (jstack, JSON dumps; JFR before its recording) */
    NOT_RECORDED("creation not recorded");

    /** What every view says of a start counted without its creation stack (it names no line rather than a wrong one). */
    public static final String NOT_CAPTURED = "creation stack not captured";

    /** How every view words the origin of a thread it names no creation site for. */
    public final String words;

    Origin(String words) {
        this.words = words;
    }
}
