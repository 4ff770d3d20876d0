package dev.threadleak.agent.snapshot;

/**
 * How often the agent samples, as a snapshot says it: the {@code sample} option, the interval in effect (longer when
 * sampling this JVM's threads would take more than the agent's budget of one core), and the CPU the last periodic sample
 * took. All -1 where unknown: a dump written before these were recorded, or an agent that does not sample.
 *
 * @param optionMs the {@code sample} option
 * @param everyMs  the interval between periodic samples now: {@code optionMs}, or longer to stay within the budget
 * @param costMs   CPU time of the last periodic sample, on the agent's thread
 */
public record Sampling(long optionMs, long everyMs, long costMs) {
    public static final Sampling UNKNOWN = new Sampling(-1, -1, -1);
    /** The share of one core, in percent, that the agent's periodic samples may take. */
    public static final int BUDGET_PERCENT_OF_A_CORE = 1;

    /** Whether the interval was stretched past the option to keep sampling within its budget. */
    public boolean stretched() {
        return optionMs > 0 && everyMs > optionMs;
    }
}
