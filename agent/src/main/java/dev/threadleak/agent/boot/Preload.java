package dev.threadleak.agent.boot;

import dev.threadleak.agent.expose.DumpWriter;
import dev.threadleak.agent.expose.TextReport;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.SnapshotCodec;

/**
 * The classes that samples and dumps need, initialized at set-up rather than at their first use: a class whose
 * initializer fails (the host out of memory, later) is unusable for the JVM's life, while set-up that fails now is
 * tried again. The rehearsal dump ({@link DumpWriter#rehearse}) initializes what the first sample meets besides.
 */
final class Preload {
    private Preload() {}

    static void initialize() throws ClassNotFoundException {
        for (Class<?> c : new Class<?>[] {SnapshotCodec.class, Findings.class, History.class, NamePattern.class, Durations.class,
                TextReport.class, TextReport.Body.class, DumpWriter.class, DumpDirectory.class, Sampler.class}) {
            Class.forName(c.getName(), true, c.getClassLoader());
        }
    }
}
