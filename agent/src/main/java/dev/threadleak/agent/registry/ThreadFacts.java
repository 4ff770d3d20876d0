package dev.threadleak.agent.registry;

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
 * start order, each with an unmodifiable map of these keys (a key is absent when the fact is unknown):
 * <ul>
 *   <li>{@code tid} (Long), {@code startedAtMs} (Long, epoch ms it was started or first seen),
 *       {@code origin} (String: {@code STARTED}, {@code BEFORE_AGENT} or {@code BY_JVM})
 *   <li>{@code starterTid} (Long), {@code starterName} (String): the thread that called {@code start}
 *   <li>{@code creationStack} (List of StackTraceElement, from the caller of {@code start} outwards),
 *       {@code blame} (Integer: index of the frame to blame in it, or -1)
 *   <li>for a pool worker: {@code executor} (String, its class), {@code executorShutdown} (Boolean),
 *       {@code executorStack} and {@code executorBlame} (its construction site, like the creation stack)
 * </ul>
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
        Executors executors = registry.executorHooks();
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
            facts.put("tid", r.tid);
            facts.put("startedAtMs", r.startedAtMs);
            facts.put("origin", r.origin.name());
            if (r.starterName != null) {
                facts.put("starterTid", r.starterTid);
                facts.put("starterName", r.starterName);
            }
            putSite(facts, "creationStack", "blame", r.site);
            Executors.WorkerSlot slot = executors.worker(r.tid);
            Executors.ExecutorRecord executor = slot != null ? slot.executor()
                    : t instanceof ForkJoinWorkerThread fj ? executors.recordFor(fj.getPool()) : null;
            if (executor != null) {
                facts.put("executor", executor.kind());
                facts.put("executorShutdown", executor.shutdown());
                putSite(facts, "executorStack", "executorBlame", executor.site());
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
