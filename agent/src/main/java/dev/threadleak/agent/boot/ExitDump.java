package dev.threadleak.agent.boot;

import dev.threadleak.agent.registry.Registry;

/** The shutdown hook, {@code threadleak-exit-dump}: the last dump, as the JVM exits. Registered in premain (a class, not a lambda). */
final class ExitDump implements Runnable {
    private final Registry registry;
    private final SetUp setUp;
    private final long startedAtMs;

    ExitDump(Registry registry, SetUp setUp, long startedAtMs) {
        this.registry = registry;
        this.setUp = setUp;
        this.startedAtMs = startedAtMs;
    }

    @Override
    public void run() {
        try {
            if (System.currentTimeMillis() - startedAtMs >= AgentStart.QUIET_START_MILLIS || registry.anyStartedAlive()) {
                Dumper dumper = setUp.dumper(false); // no rehearsal: this dump is the real one
                if (dumper != null) dumper.dump(Dumper.EXIT);
            }
        } catch (Throwable outOfMemory) {
            // the dumper says what failed; this is when even saying it failed
        }
    }
}
