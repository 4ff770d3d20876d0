package dev.threadleak.agent.snapshot;

/**
 * One live executor at the snapshot instant.
 *
 * @param id             the agent's id for it (threads name it in {@code executor})
 * @param kind           its class, e.g. {@code java.util.concurrent.ThreadPoolExecutor}
 * @param name           its workers' names folded into patterns ({@code ingest-*}), empty before it has any
 * @param site           construction site id, or -1 when built before the agent loaded (or by the JDK itself)
 * @param state          {@code RUNNING}, {@code SHUTDOWN} (shutdown, shutdownNow or close called) or {@code TERMINATED}
 * @param poolSize       live worker threads
 * @param maxPoolSize    the most workers it keeps ({@code ThreadPoolExecutor.getMaximumPoolSize()}, a
 *                       {@code ForkJoinPool}'s parallelism), or -1 where it has no bound of its own (a thread-per-task
 *                       executor; a cached pool's {@code Integer.MAX_VALUE} is kept as it is)
 * @param active         workers running a task
 * @param queued         tasks waiting for a worker, or -1 where unknown (scheduled and fork-join pools)
 * @param submitted      tasks handed to it since the agent loaded
 * @param completed      tasks that ran and finished since the agent loaded (where known, else -1)
 * @param oldestQueuedMs how long the oldest queued task has waited, or -1 (none, or unknown); for a queue that is not
 *                       FIFO (a fork-join pool's), at least this long: tasks have been queued and none has begun since
 * @param createdAtMs    epoch ms it was built, or first seen
 * @param idleSinceMs    epoch ms since which every worker has waited for work (the latest of their waits'
 *                       starts, precise to one sample), or -1 when a worker is busy or there is none
 */
public record ExecutorInfo(int id, String kind, String name, int site, String state, int poolSize, int maxPoolSize, int active, long queued,
                           long submitted, long completed, long oldestQueuedMs, long createdAtMs, long idleSinceMs) {

    /**
     * A bound the pool fills up to and never passes (a cached pool's {@code Integer.MAX_VALUE} is none): up to it, more
     * workers are load. A {@code ForkJoinPool} may add a compensating worker while one blocks in a managed block,
     * within its own limit, still one owner's bounded growth.
     */
    public boolean bounded() {
        return maxPoolSize > 0 && maxPoolSize < Integer.MAX_VALUE;
    }

    /** A plain ThreadPoolExecutor's queue is FIFO; a scheduled one's is ordered by delay, a ForkJoinPool's by worker. */
    public static boolean fifo(String kind) {
        return kind.equals("java.util.concurrent.ThreadPoolExecutor");
    }

    public boolean running() {
        return state.equals("RUNNING");
    }

    /** {@code ThreadPoolExecutor "ingest-*"}, or {@code ThreadPoolExecutor#3} for one with no worker yet. */
    public String describe() {
        String simple = kind.substring(kind.lastIndexOf('.') + 1);
        return name.isEmpty() ? simple + "#" + id : simple + " \"" + name + "\"";
    }
}
