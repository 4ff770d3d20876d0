package dev.threadleak.agent.snapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Live threads of one creation site (or, for threads not seen starting, of one origin): the unit the
 * report, and later the findings and JMX, speak of.
 *
 * @param site    the creation site, or null for threads the agent did not see start
 * @param origin  STARTED when {@code site} is set, else why there is no site
 * @param threads the site's live threads, oldest first
 */
public record SiteGroup(SiteInfo site, Origin origin, List<ThreadEntry> threads) {
    /**
     * Creation sites a live view (JMX's TopSites, Prometheus' site series) names one by one, largest first: the few
     * that matter, and no more, as each is a Prometheus series (the rest are summed in {@code site="other"}).
     */
    public static final int TOP_SITES = 20;

    /** Groups the snapshot's threads, leaving out threadleak's own; largest group first. */
    public static List<SiteGroup> of(Snapshot snapshot) {
        Map<String, List<ThreadEntry>> byKey = new LinkedHashMap<>();
        for (ThreadEntry t : snapshot.threads()) {
            if (t.agentThread()) continue;
            int site = snapshot.blameSite(t); // pool workers: where their executor was built
            String key = site >= 0 ? "site " + site : t.origin().name();
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        List<SiteGroup> groups = new ArrayList<>();
        for (List<ThreadEntry> threads : byKey.values()) {
            threads.sort(Comparator.comparingLong(ThreadEntry::startedAtMs));
            ThreadEntry first = threads.get(0);
            groups.add(new SiteGroup(snapshot.site(snapshot.blameSite(first)), first.origin(), List.copyOf(threads)));
        }
        groups.sort(Comparator.comparingInt((SiteGroup g) -> g.threads.size()).reversed()
                .thenComparing(Comparator.comparingLong(SiteGroup::started).reversed()));
        return groups;
    }

    /** True when the group is the workers of executors built at its site (its started count is executors built). */
    public boolean poolWorkers() {
        return site != null && threads.get(0).site() != site.id();
    }

    /** Threads the site has started since the agent loaded (executors built, for pool workers; 0 without a site). */
    public long started() {
        return site == null ? 0 : site.started();
    }

    /** Thread states with their counts, most common first: {@code WAITING=98, RUNNABLE=2}. */
    public Map<String, Integer> states() {
        return countsOf(threads.stream().map(ThreadEntry::state).toList());
    }

    /** Wait reasons with their counts, most common first (threads not yet sampled are left out). */
    public Map<String, Integer> waits() {
        return countsOf(threads.stream().map(ThreadEntry::waitReason).filter(java.util.Objects::nonNull).toList());
    }

    /** The longest time any thread of the group has stayed in one wait. */
    public long longestWaitMs() {
        return threads.stream().mapToLong(ThreadEntry::waitingForMs).max().orElse(0);
    }

    private static Map<String, Integer> countsOf(List<String> values) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String v : values) counts.merge(v, 1, Integer::sum);
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** The names of the group's threads as few patterns: {@code pool-*-thread-1}. */
    public List<String> namePatterns() {
        return NamePattern.of(threads.stream().map(ThreadEntry::name).toList());
    }
}
