package dev.threadleak.agent.snapshot;

import java.util.Objects;

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

    /**
     * A builder for the executor with this id and class; every other field starts as a pool with no worker and no
     * task yet reads (no site, no bound, nothing queued, submitted or completed, built at 0), and {@code state}
     * must be set. Fields are set by name: fourteen positionals, nine of them counts side by side, are a swap
     * waiting to happen.
     */
    public static Builder builder(int id, String kind) {
        return new Builder(id, kind);
    }

    /** Sets {@link ExecutorInfo}'s fields by name (see the record's parameters for what each means). */
    public static final class Builder {
        private final int id;
        private final String kind;
        private String name = "";
        private int site = -1;
        private String state;
        private int poolSize, active;
        private int maxPoolSize = -1;
        private long queued, submitted, completed;
        private long oldestQueuedMs = -1;
        private long createdAtMs;
        private long idleSinceMs = -1;

        private Builder(int id, String kind) {
            this.id = id;
            this.kind = kind;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder site(int v) { site = v; return this; }
        public Builder state(String v) { state = v; return this; }
        public Builder poolSize(int v) { poolSize = v; return this; }
        public Builder maxPoolSize(int v) { maxPoolSize = v; return this; }
        public Builder active(int v) { active = v; return this; }
        public Builder queued(long v) { queued = v; return this; }
        public Builder submitted(long v) { submitted = v; return this; }
        public Builder completed(long v) { completed = v; return this; }
        public Builder oldestQueuedMs(long v) { oldestQueuedMs = v; return this; }
        public Builder createdAtMs(long v) { createdAtMs = v; return this; }
        public Builder idleSinceMs(long v) { idleSinceMs = v; return this; }

        public ExecutorInfo build() {
            return new ExecutorInfo(id, kind, name, site, Objects.requireNonNull(state, "state"), poolSize, maxPoolSize, active, queued,
                    submitted, completed, oldestQueuedMs, createdAtMs, idleSinceMs);
        }
    }
}
