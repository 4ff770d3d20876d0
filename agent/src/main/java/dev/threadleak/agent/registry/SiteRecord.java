package dev.threadleak.agent.registry;

import java.util.List;

/**
 * What the registry keeps of one creation site (like {@link ThreadRecord} of a thread): the interned stack, from the
 * caller of Thread.start outwards, and its live counts. A snapshot shows it as a {@code SiteInfo}.
 */
public final class SiteRecord {
    private final int id;
    private final List<StackTraceElement> stack;
    private final int blame;
    private final boolean truncated;
    /** {@link #THREAD}, {@link #EXECUTOR} or {@link #SUBMISSION}: what was started, built or submitted here. */
    private final int kind;
    public static final int THREAD = 0, EXECUTOR = 1, SUBMISSION = 2;
    /** Written under the table's lock, read by snapshot takers without it. */
    private volatile long started;
    /** Live threads started here; kept by the registry under its lock. A site with none may be folded. */
    int live;
    /** When a thread started here was last seen ended (epoch ms, at the drain), or 0: none has since the agent loaded. */
    volatile long lastEndedAtMs;
    /** Set when the table forgot this site: a sampling key that named it must capture again. */
    boolean folded;
    /** The table's start sequence at this site's latest start: which idle site was used least recently. */
    long lastStart;

    SiteRecord(int id, List<StackTraceElement> stack, int blame, boolean truncated, int kind) {
        this.id = id;
        this.kind = kind;
        this.stack = stack;
        this.blame = blame;
        this.truncated = truncated;
    }

    public int id() { return id; }
    public int kind() { return kind; }
    public List<StackTraceElement> stack() { return stack; }
    /** Index into {@link #stack()} of the frame to blame, or -1 when every frame is JDK or library code. */
    public int blame() { return blame; }
    /** True when the stack was cut at the {@code depth} option. */
    public boolean truncated() { return truncated; }
    /** Threads started from this site since the agent loaded. */
    public long started() { return started; }
    /** Live threads started here, as of the last drain. */
    public int live() { return live; }
    public long lastEndedAtMs() { return lastEndedAtMs; }

    @SuppressWarnings("NonAtomicVolatileUpdate") // called under the SiteTable's lock only; volatile for views reading without it
    void countStart(long sequence) {
        started++;
        lastStart = sequence;
    }
}
