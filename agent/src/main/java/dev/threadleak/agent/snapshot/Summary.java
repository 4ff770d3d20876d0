package dev.threadleak.agent.snapshot;

import java.util.Map;

/**
 * Totals at the snapshot instant, like pprof's {@code goroutine profile: total N}. Counts leave out
 * threadleak's own threads.
 *
 * @param live          live threads (platform and virtual)
 * @param daemon        live daemon threads
 * @param virtual       live virtual threads
 * @param peak          peak live platform threads since the JVM started (ThreadMXBean)
 * @param jvmStarted    platform threads started since the JVM started (ThreadMXBean)
 * @param agentStarted  threads (platform and virtual) started since the agent loaded
 * @param baseline      live threads when the baseline was taken (first sample, or the last reset)
 * @param states        live threads per {@code Thread.State}
 * @param heapUsed      heap bytes in use
 * @param stackReserved bytes of address space reserved for platform thread stacks (live platform threads
 *                      times the thread stack size): an estimate of what the threads cost beyond the heap
 * @param startsDropped thread starts the agent could not record (its queue of unprocessed starts was full,
 *                      or it ran out of memory): those threads have no creation site; 0 normally
 * @param sitesNotListed creation sites seen since the agent loaded but not in this snapshot's sites: none of
 *                      their threads is alive and they are not among the most-started (their starts still
 *                      count in {@code agentStarted})
 * @param threadsNotListed live threads counted here but not listed in {@code threads}: a dump lists at most the
 *                      {@code threads} option's number (each site's count of them is its {@code notListed})
 * @param hookFailures  Throwables the hook swallowed inside Thread.start or an executor method (the call went on,
 *                      unrecorded); 0 normally, and where a dump leaves the field out (readers take it as optional)
 * @param firstHookFailure the first of them, as {@code Throwable.toString()}, or null
 * @param stacksCaptured of {@code agentStarted}, the starts whose creation stack was captured (option {@code starts}:
 *                      the others were placed at their sampling key's site); -1 where a dump leaves the field out
 *                      (optional to readers)
 * @param stacksSkipped of {@code agentStarted}, the starts recorded without the creation stack they were due, because a
 *                      burst of starts outran the agent (placed at their sampling key's site, or nowhere); 0 normally
 */
public record Summary(int live, int daemon, int virtual, int peak, long jvmStarted, long agentStarted, int baseline,
                      Map<String, Integer> states, long heapUsed, long stackReserved, long startsDropped,
                      long sitesNotListed, long threadsNotListed, long hookFailures, String firstHookFailure,
                      long stacksCaptured, long stacksSkipped) {

    /** Totals of a snapshot that lists every live thread. */
    public Summary(int live, int daemon, int virtual, int peak, long jvmStarted, long agentStarted, int baseline,
                   Map<String, Integer> states, long heapUsed, long stackReserved, long startsDropped, long sitesNotListed) {
        this(live, daemon, virtual, peak, jvmStarted, agentStarted, baseline, states, heapUsed, stackReserved, startsDropped,
                sitesNotListed, 0, 0, null, -1, 0);
    }

    /** Live threads above (or below) the baseline, like Go's NumGoroutine minus its baseline. */
    public int delta() {
        return live - baseline;
    }

    /** The same totals measured against {@code baseline}. */
    public Summary withBaseline(int baseline) {
        return new Summary(live, daemon, virtual, peak, jvmStarted, agentStarted, baseline, states, heapUsed, stackReserved,
                startsDropped, sitesNotListed, threadsNotListed, hookFailures, firstHookFailure, stacksCaptured, stacksSkipped);
    }

    /** The same totals with the hook's swallowed Throwables. */
    public Summary withHookFailures(long count, String first) {
        return new Summary(live, daemon, virtual, peak, jvmStarted, agentStarted, baseline, states, heapUsed, stackReserved,
                startsDropped, sitesNotListed, threadsNotListed, count, first, stacksCaptured, stacksSkipped);
    }

    public Summary withThreadsNotListed(long n) {
        return new Summary(live, daemon, virtual, peak, jvmStarted, agentStarted, baseline, states, heapUsed, stackReserved,
                startsDropped, sitesNotListed, n, hookFailures, firstHookFailure, stacksCaptured, stacksSkipped);
    }

    public Summary withStacks(long captured, long skipped) {
        return new Summary(live, daemon, virtual, peak, jvmStarted, agentStarted, baseline, states, heapUsed, stackReserved,
                startsDropped, sitesNotListed, threadsNotListed, hookFailures, firstHookFailure, captured, skipped);
    }
}
