package dev.threadleak.agent.snapshot;

/**
 * The task a pool worker is running.
 *
 * @param startedAtMs   epoch ms the task began running (each run of a periodic task counts anew)
 * @param queuedAtMs    epoch ms it was handed to the executor, or -1 when its submission was not captured
 * @param submittedSite site id of where it was handed over, or -1 when not captured (submissions are sampled)
 */
public record RunningTask(long startedAtMs, long queuedAtMs, int submittedSite) {

    public long runningForMs(long atMs) {
        return Math.max(0, atMs - startedAtMs);
    }
}
