package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.expose.DumpWriter;
import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.sample.Sampler.Depth;
import dev.threadleak.agent.snapshot.Origin;

/**
 * The heavy part of start-up, off premain: the threads that predate the agent, the {@link Preload}ed classes, the
 * sampler, the {@link Pipeline} and the dump files, put together into the {@link Dumper}. Done by the agent thread after
 * the quiet second, or by the exit dump if that comes first; set-up that fails (out of memory) is tried again by the
 * next caller.
 */
final class SetUp {
    private final Options options;
    private final Registry registry;
    private final long startedAtMs;
    private final Log log;
    /** What reads the Throwables the hooks swallow: none until the hooks are in ({@link #hooked}). */
    private HookFailures hookFailures = HookFailures.NONE;
    private Dumper dumper;

    SetUp(Options options, Registry registry, long startedAtMs, Log log) {
        this.options = options;
        this.registry = registry;
        this.startedAtMs = startedAtMs;
        this.log = log;
    }

    /** The hooks are in (premain, after the agent's threads started). */
    synchronized void hooked(HookFailures failures) {
        hookFailures = failures;
    }

    /**
     * The dumper, set up first if it is not yet; null when set-up failed (said once).
     *
     * @param rehearse write the first sample to a file that is then deleted ({@link DumpWriter#rehearse}), so that
     *                 every class a dump needs is initialized now, while the host has memory (see {@link Preload})
     */
    synchronized Dumper dumper(boolean rehearse) {
        if (dumper != null) return dumper;
        try {
            // first the threads that predate the agent: any seen after this without a start of theirs is the JVM's (Sampler.read)
            registry.addUnseen(Sampler.platformThreads(), startedAtMs, Origin.BEFORE_AGENT);
            Preload.initialize();
            registry.prepareSampling();
            for (String fallback : registry.fallbacks()) log.debug(fallback, fallback);
            DumpWriter d = new DumpWriter(options.dir(), options.keep(), log::warnOnce);
            Sampler sampler = new Sampler(registry, hookFailures, startedAtMs, options.blocked().toMillis(), options.maskSecrets());
            if (sampler.stackSizeUnread()) {
                log.warnOnce(RuntimeModules.JDK_MANAGEMENT, RuntimeModules.missing("reading -Xss", RuntimeModules.JDK_MANAGEMENT,
                        "stackReserved counts 1 MiB per platform thread"));
            }
            Pipeline p = new Pipeline(sampler,
                    new History(options.window().toMillis()),
                    new Findings.Thresholds(options.blocked().toMillis(), options.duplicates(), options.growth()),
                    Math.max(options.sample().toMillis(), Registry.DRAIN_MILLIS), options.sample().toNanos());
            if (rehearse) d.rehearse(p.scheduled(Depth.DUMP).withThreadsListed(options.threads())); // the first sample
            dumper = new Dumper(p, d, options, log); // last: set-up that fails (out of memory) is tried again
            return dumper;
        } catch (Throwable t) {
            try {
                // looked up only now that set-up failed: without it no retry can succeed, so the line says what instead
                if (t instanceof LinkageError && RuntimeModules.absent(RuntimeModules.MANAGEMENT)) {
                    log.warnOnce("init", RuntimeModules.missing("sampling", RuntimeModules.MANAGEMENT,
                            "no dumps, JMX bean or HTTP endpoint"));
                    return null;
                }
                log.warnOnce("init", "agent failed to start, no dumps will be written (will retry): " + t);
            } catch (Throwable unsaid) {
                // out of memory: nothing to say it with (see AgentLoop)
            }
            return null;
        }
    }
}
