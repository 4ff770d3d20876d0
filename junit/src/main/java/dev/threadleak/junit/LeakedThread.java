package dev.threadleak.junit;

import java.util.List;

/**
 * One leaked thread as the check saw it. Fields that only the threadleak agent knows are null (or empty) without it.
 *
 * @param thread           the thread itself (to interrupt or join it)
 * @param state            {@link Thread.State} name
 * @param waitReason       what it waits for, in the agent's words ({@code sleeping}, {@code parked on ...},
 *                         {@code Object.wait on ...}, {@code Thread.join}, {@code monitor enter on ...}), or null when it runs
 * @param stack            its current stack, top first
 * @param creationSite     the frame to blame for starting it, {@code Class.method(File.java:LINE)} (agent)
 * @param creationStack    the stack that called {@code Thread.start}, caller first (agent)
 * @param starter          {@code "name" #tid} of the thread that started it (agent)
 * @param startedByTest    the test (or class lifecycle) that started it, directly or through threads it started
 * @param executor         for a pool worker, its executor class (agent)
 * @param executorSite     where that executor was built (agent)
 * @param executorShutdown whether shutdown was called on that executor (agent), else null
 */
public record LeakedThread(Thread thread, String name, long tid, boolean virtual, boolean daemon, String state, String waitReason,
                           List<StackTraceElement> stack, String creationSite, List<StackTraceElement> creationStack,
                           String starter, String startedByTest, String executor, String executorSite, Boolean executorShutdown) {

    LeakedThread withStartedByTest(String test) {
        return new LeakedThread(thread, name, tid, virtual, daemon, state, waitReason, stack, creationSite, creationStack,
                starter, test, executor, executorSite, executorShutdown);
    }
}
