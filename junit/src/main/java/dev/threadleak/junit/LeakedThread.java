package dev.threadleak.junit;

import java.util.List;
import java.util.Objects;

/**
 * One leaked thread as the check saw it. Facts that only the threadleak agent knows are null (or empty) without it.
 * Not a record, and built only by this library: facts can be added without breaking code compiled against it.
 */
public final class LeakedThread {
    private final Thread thread;
    private final String name;
    private final long tid;
    private final boolean virtual;
    private final boolean daemon;
    private final String state;
    private final String waitReason;
    private final List<StackTraceElement> stack;
    private final String creationSite;
    private final List<StackTraceElement> creationStack;
    private final String starter;
    private final String startedByTest;
    private final String executor;
    private final String executorSite;
    private final Boolean executorShutdown;

    LeakedThread(Thread thread, String name, long tid, boolean virtual, boolean daemon, String state, String waitReason,
                 List<StackTraceElement> stack, String creationSite, List<StackTraceElement> creationStack, String starter,
                 String startedByTest, String executor, String executorSite, Boolean executorShutdown) {
        this.thread = thread;
        this.name = name;
        this.tid = tid;
        this.virtual = virtual;
        this.daemon = daemon;
        this.state = state;
        this.waitReason = waitReason;
        this.stack = List.copyOf(stack);
        this.creationSite = creationSite;
        this.creationStack = List.copyOf(creationStack);
        this.starter = starter;
        this.startedByTest = startedByTest;
        this.executor = executor;
        this.executorSite = executorSite;
        this.executorShutdown = executorShutdown;
    }

    LeakedThread withStartedByTest(String test) {
        return new LeakedThread(thread, name, tid, virtual, daemon, state, waitReason, stack, creationSite, creationStack,
                starter, test, executor, executorSite, executorShutdown);
    }

    /** The thread itself (to interrupt or join it). */
    public Thread thread() {
        return thread;
    }

    public String name() {
        return name;
    }

    public long tid() {
        return tid;
    }

    public boolean virtual() {
        return virtual;
    }

    public boolean daemon() {
        return daemon;
    }

    /** {@link Thread.State} name. */
    public String state() {
        return state;
    }

    /**
     * What it waits for, in the agent's words ({@code sleeping}, {@code parked on ...}, {@code Object.wait on ...},
     * {@code Thread.join}, {@code monitor enter on ...}), or null when it runs.
     */
    public String waitReason() {
        return waitReason;
    }

    /** Its current stack, top first. */
    public List<StackTraceElement> stack() {
        return stack;
    }

    /** The frame to blame for starting it, {@code Class.method(File.java:LINE)} (agent). */
    public String creationSite() {
        return creationSite;
    }

    /** The stack that called {@code Thread.start}, caller first (agent); empty when not known. */
    public List<StackTraceElement> creationStack() {
        return creationStack;
    }

    /** {@code "name" #tid} of the thread that started it (agent). */
    public String starter() {
        return starter;
    }

    /** The test (or class lifecycle) that started it, directly or through threads it started. */
    public String startedByTest() {
        return startedByTest;
    }

    /** For a pool worker, its executor class (agent). */
    public String executor() {
        return executor;
    }

    /** Where that executor was built (agent). */
    public String executorSite() {
        return executorSite;
    }

    /** Whether shutdown was called on that executor (agent), else null. */
    public Boolean executorShutdown() {
        return executorShutdown;
    }

    /** Equal when every fact is: the same thread, seen alike. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LeakedThread t && thread == t.thread && tid == t.tid && virtual == t.virtual && daemon == t.daemon
                && name.equals(t.name) && state.equals(t.state) && Objects.equals(waitReason, t.waitReason) && stack.equals(t.stack)
                && Objects.equals(creationSite, t.creationSite) && creationStack.equals(t.creationStack) && Objects.equals(starter, t.starter)
                && Objects.equals(startedByTest, t.startedByTest) && Objects.equals(executor, t.executor)
                && Objects.equals(executorSite, t.executorSite) && Objects.equals(executorShutdown, t.executorShutdown);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tid, name, state, waitReason, creationSite, startedByTest);
    }

    /** The line that heads its block in a failure: {@code "name" #12 platform daemon WAITING (parked on ...)}. */
    @Override
    public String toString() {
        return "\"" + name + "\" #" + tid + (virtual ? " virtual" : " platform") + (daemon ? " daemon " : " ") + state
                + (waitReason == null ? "" : " (" + waitReason + ")");
    }
}
