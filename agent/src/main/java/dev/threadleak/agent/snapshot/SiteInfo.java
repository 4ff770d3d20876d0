package dev.threadleak.agent.snapshot;

import java.util.List;

/**
 * A creation site: the stack from the caller of {@code Thread.start} outwards, the frame to blame
 * ({@code blame} indexes {@code stack}, -1 when every frame is JDK or library code), and how many threads
 * it has started since the agent loaded ({@code kind} thread); or, with the same rules, where executors were built
 * ({@code started}: executors built) or tasks submitted ({@code started}: submissions captured).
 * {@code lastEndedAtMs}: when a thread of the site was last seen ended, 0 when none has since the agent loaded.
 * The form in a snapshot (and a dump) of what the registry keeps as a {@code SiteRecord}.
 */
public record SiteInfo(int id, List<Frame> stack, int blame, boolean truncated, long started, String kind, long notListed,
                       long lastEndedAtMs) {

    /** A site all of whose live threads are listed. */
    public SiteInfo(int id, List<Frame> stack, int blame, boolean truncated, long started, String kind, long lastEndedAtMs) {
        this(id, stack, blame, truncated, started, kind, 0, lastEndedAtMs);
    }

    /**
     * What a site is where: a thread started, an executor built, a task submitted (sampled); or, read from a JDK dump
     * that records no creation stacks, where threads are now: their whole current stack ({@code stack}).
     */
    public static final String THREAD = "thread", EXECUTOR = "executor", SUBMISSION = "submission", STACK = "stack";

    /** A thread creation site. */
    public SiteInfo(int id, List<Frame> stack, int blame, boolean truncated, long started) {
        this(id, stack, blame, truncated, started, THREAD, 0, 0);
    }

    /** Where a thread was started (or its executor built), not only where it is now ({@link #STACK}). */
    public boolean creation() {
        return !kind.equals(STACK);
    }

    /** The frame to blame, or the innermost frame when there is none (JDK or library code started it). */
    public Frame blameFrame() {
        return stack.isEmpty() ? null : stack.get(Math.max(blame, 0));
    }
}
