package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.expose.AgentCost;
import dev.threadleak.agent.expose.DumpWriter;
import dev.threadleak.agent.sample.Sampler.Depth;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dumps, and what the agent spends: each dump is a sample of the {@link Pipeline} written to the dump directory with at
 * most the {@code threads} option's threads listed. Several threads may dump at once (the agent's, JMX, the exit dump).
 */
final class Dumper {
    /** Why a dump is written (said in its warning when it cannot be). */
    static final String PERIODIC = "periodic", EXIT = "exit", ON_DEMAND = "on-demand";
    private final Pipeline pipeline;
    private final DumpWriter files;
    private final Options options;
    private final Log log;
    /** Dumps written and the time they took writing (the agent's own cost). */
    private final AtomicLong dumpsWritten = new AtomicLong(),
            dumpNanos = new AtomicLong();

    Dumper(Pipeline pipeline, DumpWriter files, Options options, Log log) {
        this.pipeline = pipeline;
        this.files = files;
        this.options = options;
        this.log = log;
    }

    /** The pipeline the dumps sample, for the schedule's samples and the views. */
    Pipeline pipeline() {
        return pipeline;
    }

    /**
     * Writes a dump now; returns its path, or null (after one warning) when it could not be written. Only
     * {@link #PERIODIC} dumps are samples of the schedule that the history keeps.
     */
    Path dump(String why) {
        try {
            Snapshot s = why.equals(PERIODIC) ? pipeline.scheduled(Depth.DUMP) : pipeline.onDemand(Depth.DUMP);
            long began = System.nanoTime();
            Path written = files.write(s.withThreadsListed(options.threads()));
            dumpNanos.addAndGet(System.nanoTime() - began);
            dumpsWritten.incrementAndGet();
            log.clear("dump");
            return written;
        } catch (Throwable t) {
            boolean retried = options.periodicDumps() && !why.equals(EXIT);
            log.warnOnce("dump", "cannot write " + why + " dump to " + files.dir() + ": " + t
                    + (retried ? " (will retry every " + Durations.human(options.interval().toMillis()) + ")" : ""));
            return null;
        }
    }

    /** Samples taken and dumps written, and the time each took. */
    AgentCost cost() {
        return new AgentCost(pipeline.samples(), pipeline.sampleNanos(), dumpsWritten.get(), dumpNanos.get());
    }
}
