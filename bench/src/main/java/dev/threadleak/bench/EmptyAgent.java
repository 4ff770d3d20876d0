package dev.threadleak.bench;

import java.lang.instrument.Instrumentation;

/** The start-up baseline: what any -javaagent costs (jar open, manifest, premain call) with no work. */
public final class EmptyAgent {
    private EmptyAgent() {}

    public static void premain(String args, Instrumentation inst) {
        // nothing, on purpose
    }
}
