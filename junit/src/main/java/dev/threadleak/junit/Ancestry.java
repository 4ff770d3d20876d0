package dev.threadleak.junit;

import dev.threadleak.names.SharedNames;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who started which thread, and which test (or class) each thread is charged to, by thread id (ids are never
 * reused); one per run of the test engine. The starters come from the agent at every look and are kept here because
 * the agent forgets a thread once it ends, while a thread it started may live on (a test starts A, A starts B, A
 * ends). Bounded: the oldest entries go first.
 */
final class Ancestry {
    private static final int MAX = 100_000;
    private static final int MAX_DEPTH = 64;
    private final Map<Long, Long> starterOf = bounded();
    private final Map<Long, Object> ownerOf = bounded();
    private final Map<Long, Boolean> reported = bounded();
    /** Threads that run tests (parallel runs with the agent). */
    private final Map<Long, Boolean> runners = bounded();

    synchronized void learn(Map<Thread, Map<String, Object>> facts) {
        for (Map<String, Object> f : facts.values()) {
            if (f.get(SharedNames.FACT_STARTER_TID) instanceof Long starter && f.get(SharedNames.FACT_TID) instanceof Long tid) starterOf.put(tid, starter);
        }
    }

    /**
     * Charges each of {@code tids} not charged yet that {@code runner} started, directly or through threads it
     * started, to {@code owner}; one started through a thread already charged goes with that thread. The walk up
     * the starters stops at another thread that runs tests: what that thread starts is its own tests'.
     */
    synchronized void claim(Collection<Long> tids, long runner, Object owner) {
        for (Long tid : tids) {
            if (ownerOf.containsKey(tid)) continue;
            Long at = starterOf.get(tid);
            for (int depth = 0; depth < MAX_DEPTH && at != null && (at == runner || !runners.containsKey(at)); depth++, at = starterOf.get(at)) {
                Object before = at == runner ? owner : ownerOf.get(at);
                if (before != null) {
                    ownerOf.put(tid, before);
                    break;
                }
            }
        }
    }

    /** Marks a thread that runs tests. */
    synchronized void runsTests(long tid) {
        runners.put(tid, true);
    }

    /** Charges a thread to {@code owner} unless it is charged already (serial runs: whatever appeared during a test is its). */
    synchronized void own(long tid, Object owner) {
        ownerOf.putIfAbsent(tid, owner);
    }

    synchronized Object owner(long tid) {
        return ownerOf.get(tid);
    }

    /** Marks a thread as reported leaked; true the first time. */
    synchronized boolean report(long tid) {
        return reported.put(tid, true) == null;
    }

    synchronized boolean reported(long tid) {
        return reported.containsKey(tid);
    }

    private static <V> Map<Long, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
                return size() > MAX;
            }
        };
    }
}
