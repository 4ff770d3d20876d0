package dev.threadleak.agent.registry;

import dev.threadleak.names.SharedNames;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;

/**
 * The agent's in-process view for test libraries (threadleak-junit), published in the hook class's
 * {@code threads} field: {@code java.lang.ThreadLeakHook} is one per JVM and visible from every class loader, and
 * the view is made of JDK types only, so a reader needs no compile-time tie to the agent. Not a hot path: each
 * call drains the registry.
 *
 * <p>{@link #get()} returns every live thread the agent knows (virtual threads included, its own left out), in
 * start order, each with an unmodifiable map of the facts {@code SharedNames.FACT_*} name and describe (a key is
 * absent when the fact is unknown); threadleak-junit reads them by the same names.
 * Keys are only ever added, never renamed: readers of older agents keep working.
 */
public final class ThreadFacts implements Supplier<Map<Thread, Map<String, Object>>> {
    private final Registry registry;

    public ThreadFacts(Registry registry) {
        this.registry = registry;
    }

    @Override
    public Map<Thread, Map<String, Object>> get() {
        List<ThreadRecord> records = registry.liveRecords();
        ExecutorTable executors = registry.executorTable();
        for (ThreadRecord r : records) {
            // a fork-join worker names its pool (the common pool was built before the agent): give it a record
            if (r.thread() instanceof ForkJoinWorkerThread fj) executors.recordFor(fj.getPool());
        }
        registry.liveExecutors(); // interns construction sites
        Map<Thread, Map<String, Object>> out = new LinkedHashMap<>();
        for (ThreadRecord r : records) {
            Thread t = r.thread();
            if (t == null || r.agentThread) continue;
            Map<String, Object> facts = new HashMap<>();
            facts.put(SharedNames.FACT_TID, r.tid);
            facts.put(SharedNames.FACT_STARTED_AT_MS, r.startedAtMs);
            facts.put(SharedNames.FACT_ORIGIN, r.origin.name());
            if (r.starterName != null) {
                facts.put(SharedNames.FACT_STARTER_TID, r.starterTid);
                facts.put(SharedNames.FACT_STARTER_NAME, r.starterName);
            }
            putSite(facts, SharedNames.FACT_CREATION_STACK, SharedNames.FACT_BLAME, r.site);
            WorkerSlot slot = executors.worker(r.tid);
            ExecutorRecord executor = slot != null ? slot.executor()
                    : t instanceof ForkJoinWorkerThread fj ? executors.recordFor(fj.getPool()) : null;
            if (executor != null) {
                facts.put(SharedNames.FACT_EXECUTOR, executor.kind());
                facts.put(SharedNames.FACT_EXECUTOR_SHUTDOWN, executor.shutdown());
                putSite(facts, SharedNames.FACT_EXECUTOR_STACK, SharedNames.FACT_EXECUTOR_BLAME, executor.site());
            }
            out.put(t, Collections.unmodifiableMap(facts));
        }
        return out;
    }

    private static void putSite(Map<String, Object> facts, String stackKey, String blameKey, SiteRecord site) {
        if (site == null) return;
        facts.put(stackKey, site.stack());
        facts.put(blameKey, site.blame());
    }
}
