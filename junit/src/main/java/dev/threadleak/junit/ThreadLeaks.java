package dev.threadleak.junit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * Leak checks for any test framework. {@link #baseline()} at the start of a scope, {@link #find} or
 * {@link #verifyNone} at its end:
 * <pre>{@code
 * ThreadLeaks.Baseline before = ThreadLeaks.baseline();
 * ... code under test ...
 * ThreadLeaks.verifyNone(ThreadLeaks.options().since(before));
 * }</pre>
 * A leaked thread is one alive at the check that was not alive at the baseline (without a baseline: every thread
 * but the caller), is not ignored, and has not ended within the settle time. Works for platform threads on its
 * own; with the threadleak agent it also sees virtual threads and tells where each thread was started.
 */
public final class ThreadLeaks {
    /** How long a check waits, by default, for leaked-looking threads to end. */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(2);
    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private ThreadLeaks() {}

    /** The threads alive now, by id (ids are never reused). */
    public static final class Baseline {
        private static final Baseline NONE = new Baseline(Set.of());
        private final Set<Long> tids;

        private Baseline(Set<Long> tids) {
            this.tids = tids;
        }

        boolean contains(Thread t) {
            return tids.contains(t.getId());
        }
    }

    /** The threads alive now (with the agent, virtual threads too). */
    public static Baseline baseline() {
        return baseline(null);
    }

    /** {@link #baseline()}, telling {@code ancestry} (the extension's, or null) who started whom. */
    static Baseline baseline(Ancestry ancestry) {
        Set<Long> tids = new HashSet<>();
        for (Thread t : Live.now(ancestry).threads()) tids.add(t.getId());
        return new Baseline(tids);
    }

    /** Immutable; each {@code with}-style method returns a changed copy. */
    public static final class Options {
        final Baseline since;
        final Duration settle;
        final Ignores ignores;
        /** The extension's attribution: only threads it accepts are this scope's (parallel runs). */
        final BiPredicate<Thread, Map<String, Object>> charged;
        /** The extension's record of who started whom, told at every look; null for the plain API. */
        final Ancestry ancestry;

        private Options(Baseline since, Duration settle, Ignores ignores, BiPredicate<Thread, Map<String, Object>> charged, Ancestry ancestry) {
            this.since = since;
            this.settle = settle;
            this.ignores = ignores;
            this.charged = charged;
            this.ancestry = ancestry;
        }

        /** Threads alive at this baseline are not leaks. */
        public Options since(Baseline baseline) {
            return new Options(baseline, settle, ignores, charged, ancestry);
        }

        /** How long to wait for leaked-looking threads to end (looking again after 1 ms, doubling up to 100 ms). */
        public Options settle(Duration settle) {
            if (settle.isNegative()) throw new IllegalArgumentException("settle must not be negative: " + settle);
            return new Options(since, settle, ignores, charged, ancestry);
        }

        /** Ignores threads whose name matches one of these globs ({@code *}, {@code ?}). */
        public Options ignoreNames(String... globs) {
            return new Options(since, settle, ignores.plus(Arrays.asList(globs), List.of(), List.of()), charged, ancestry);
        }

        /** Ignores threads with a frame matching one of these {@code Class.method} globs in their current stack. */
        public Options ignoreRunningIn(String... globs) {
            return new Options(since, settle, ignores.plus(List.of(), Arrays.asList(globs), List.of()), charged, ancestry);
        }

        /** Ignores threads with a frame matching one of these {@code Class.method} globs in their creation stack (agent). */
        public Options ignoreStartedBy(String... globs) {
            return new Options(since, settle, ignores.plus(List.of(), List.of(), Arrays.asList(globs)), charged, ancestry);
        }

        /** Only the threads {@code charged} accepts are this scope's; every look tells {@code ancestry} who started whom. */
        Options charging(Ancestry ancestry, BiPredicate<Thread, Map<String, Object>> charged) {
            return new Options(since, settle, ignores, charged, ancestry);
        }
    }

    /** No baseline, {@link #DEFAULT_SETTLE}, the built-in ignores and those of {@link ThreadLeakIgnores} services. */
    public static Options options() {
        return options(Ignores.defaults());
    }

    /** No baseline, {@link #DEFAULT_SETTLE}, the built-in ignores and {@code ignores} (the extension's, services' included). */
    static Options options(Ignores ignores) {
        return new Options(Baseline.NONE, DEFAULT_SETTLE, ignores, (t, facts) -> true, null);
    }

    /** The leaked threads, after waiting up to the settle time for them to end; empty when there are none. */
    public static List<LeakedThread> find(Options options) {
        long deadline = System.nanoTime() + options.settle.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            Live live = Live.now(options.ancestry);
            List<Thread> leaked = candidates(live, options);
            if (leaked.isEmpty() || System.nanoTime() - deadline >= 0) return details(leaked, live);
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, deadline - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return details(leaked, live);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
    }

    /** Throws a {@link ThreadLeakError} listing the leaked threads, if any. */
    public static void verifyNone(Options options) {
        List<LeakedThread> leaks = find(options);
        if (!leaks.isEmpty()) throw new ThreadLeakError(LeakReport.message("the code under check", leaks, options.settle), leaks);
    }

    /** True when the threadleak agent is loaded in this JVM (its view of threads is reachable). */
    public static boolean agentPresent() {
        return AgentView.present();
    }

    private static List<Thread> candidates(Live live, Options options) {
        List<Thread> out = new ArrayList<>();
        Thread me = Thread.currentThread();
        for (Thread t : live.threads()) {
            Map<String, Object> facts = live.facts(t);
            if (t == me || !t.isAlive() || options.since.contains(t) || options.ignores.ignores(t, facts)) continue;
            if (options.charged.test(t, facts)) out.add(t);
        }
        return out;
    }

    private static List<LeakedThread> details(List<Thread> leaked, Live live) {
        List<LeakedThread> out = new ArrayList<>();
        for (Thread t : leaked) out.add(Describe.thread(t, live.facts(t)));
        return out;
    }

    /** The live threads at one instant: platform threads from the thread groups, and all that the agent knows. */
    record Live(List<Thread> threads, Map<Thread, Map<String, Object>> agentFacts) {
        /** Also tells {@code ancestry} (if any) who started whom: the agent forgets a thread once it ends. */
        static Live now(Ancestry ancestry) {
            Map<Thread, Map<String, Object>> facts = AgentView.facts();
            Map<Thread, Boolean> all = new LinkedHashMap<>();
            for (Thread t : platformThreads()) all.put(t, true);
            if (facts != null) {
                for (Thread t : facts.keySet()) all.put(t, true);
                if (ancestry != null) ancestry.learn(facts);
            }
            return new Live(List.copyOf(all.keySet()), facts);
        }

        /** The agent's facts about a thread; empty without the agent (or for a thread it has not seen). */
        Map<String, Object> facts(Thread t) {
            Map<String, Object> f = agentFacts == null ? null : agentFacts.get(t);
            return f == null ? Map.of() : f;
        }

        boolean agent() {
            return agentFacts != null;
        }
    }

    static List<Thread> platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n;
        while ((n = root.enumerate(threads, true)) == threads.length) threads = new Thread[threads.length * 2];
        return Arrays.asList(Arrays.copyOf(threads, n));
    }
}
