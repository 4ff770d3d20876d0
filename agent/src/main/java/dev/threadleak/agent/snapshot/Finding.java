package dev.threadleak.agent.snapshot;

import java.util.List;

/**
 * A leak verdict: what kind, how bad, which creation site (and so which blame frame) it concerns, how many
 * threads, since when, and evidence lines a person can check against the dump.
 *
 * @param site    creation site id, or -1 when the finding is not about one site
 * @param threads threads concerned
 * @param sinceMs epoch ms from which the evidence holds
 * @param waitFrame for findings about waiting threads, where (the first of) them is stuck:
 *                  {@code Class.method(File.java:LINE)}; null otherwise
 * @param raisedSamples the agent's scheduled samples in a row that raised this finding (its kind at its site), this
 *                      one included: how long it has held, which {@code /health} waits for
 * @param raisedSinceMs epoch ms of the first of those samples
 */
public record Finding(Kind kind, Severity severity, String title, int site, int threads, long sinceMs,
                      List<String> evidence, String waitFrame, int raisedSamples, long raisedSinceMs) {

    /** A finding as first raised, by the sample at {@code raisedSinceMs}. */
    public Finding(Kind kind, Severity severity, String title, int site, int threads, long sinceMs, List<String> evidence, String waitFrame) {
        this(kind, severity, title, site, threads, sinceMs, evidence, waitFrame, 1, -1);
    }

    /** A finding that is not about waiting threads: no wait frame. */
    public Finding(Kind kind, Severity severity, String title, int site, int threads, long sinceMs, List<String> evidence) {
        this(kind, severity, title, site, threads, sinceMs, evidence, null);
    }

    /** This finding, raised by {@code samples} samples in a row since {@code sinceMs}. */
    public Finding raised(int samples, long sinceMs) {
        return new Finding(kind, severity, title, site, threads, this.sinceMs, evidence, waitFrame, samples, sinceMs);
    }

    public enum Kind {
        /** the live count of one creation site keeps rising: threads that never end */
        SITE_GROWTH,
        /** threads stuck in one wait (not waiting for work) for at least the {@code blocked} threshold */
        LONG_BLOCKED,
        /** a lock cycle */
        DEADLOCK,
        /** many blocked threads with identical stacks */
        DUPLICATE_STACKS,
        /** total live threads above the baseline by more than the threshold, and rising */
        GROWTH,
        /** thread names whose pool number keeps growing: whole executors re-created */
        RECREATED_POOLS,
        /** executors from one construction site keep being built and are never shut down */
        UNCLOSED_EXECUTORS,
        /** a pool task running for at least the {@code blocked} threshold */
        STUCK_TASK,
        /** an executor's oldest queued task waiting for at least the {@code blocked} threshold, every worker busy */
        QUEUE_STALL,
        /**
         * threads a heap dump proves can never wake (parked on what no thread that can run reaches), or the workers of a
         * pool nothing but its own threads reaches: {@code threadleak prove}, never a sample
         */
        PROVEN_LEAK
    }

    /** Most severe first. */
    public enum Severity {
        CRITICAL, HIGH, MEDIUM, LOW;

        /** True when this is {@code threshold} or more severe. */
        public boolean atLeast(Severity threshold) {
            return compareTo(threshold) <= 0;
        }
    }
}
