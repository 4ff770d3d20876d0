package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code /metrics}: the Prometheus text exposition format 0.0.4, written here rather than with client_java: a
 * dozen metric families read from one snapshot need no registry, and the agent jar stays free of another
 * library to relocate. The {@code jvm_threads_*} families have the names and meaning of client_java's JVM
 * metrics, so existing dashboards work; the {@code threadleak_*} families come from the snapshot.
 */
public final class PrometheusMetrics {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Sites with their own series; the rest are summed into {@code site="other"}, so the label stays bounded. */
    static final int TOP_SITES = 20;
    static final String OTHER = "other";

    /** ThreadMXBean's counters at the scrape (constant-time reads, no stack walk), as client_java reports them. */
    public record JvmThreads(int current, int daemon, int peak, long started) {}

    private final StringBuilder out = new StringBuilder(8192);

    private PrometheusMetrics() {}

    /** The exposition of {@code s} (the latest sample), {@code jvm} and the agent's {@code cost}. */
    public static String render(Snapshot s, JvmThreads jvm, AgentCost cost) {
        PrometheusMetrics m = new PrometheusMetrics();
        m.jvm(s, jvm);
        m.threadleak(s, cost);
        return m.out.toString();
    }

    private void jvm(Snapshot s, JvmThreads jvm) {
        one("jvm_threads_current", "gauge", "Current thread count of a JVM", jvm.current());
        one("jvm_threads_daemon", "gauge", "Daemon thread count of a JVM", jvm.daemon());
        one("jvm_threads_peak", "gauge", "Peak thread count of a JVM", jvm.peak());
        one("jvm_threads_started_total", "counter", "Started thread count of a JVM", jvm.started());
        one("jvm_threads_deadlocked", "gauge", "Cycles of JVM-threads that are in deadlock waiting to acquire object monitors or ownable synchronizers (at the latest sample)", deadlocked(s));
        // client_java counts platform threads by ThreadMXBean: the agent's own included, virtual threads not
        Map<String, Integer> states = new LinkedHashMap<>();
        for (Thread.State st : Thread.State.values()) states.put(st.name(), 0);
        for (ThreadEntry t : s.threads()) {
            if (!t.virtual()) states.computeIfPresent(t.state(), (k, n) -> n + 1);
        }
        family("jvm_threads_state", "gauge", "Current count of threads by state (at the latest sample)");
        for (Map.Entry<String, Integer> e : states.entrySet()) sample("jvm_threads_state", label("state", e.getKey()), e.getValue());
    }

    private void threadleak(Snapshot s, AgentCost cost) {
        var sum = s.summary();
        one("threadleak_sample_timestamp_seconds", "gauge", "When the sample these metrics come from was taken (Unix time)", s.takenAtMs() / 1000.0);
        one("threadleak_live_threads", "gauge", "Live application threads, platform and virtual (threadleak's own left out)", sum.live());
        one("threadleak_virtual_threads", "gauge", "Live virtual threads", sum.virtual());
        one("threadleak_baseline_threads", "gauge", "Live threads when the baseline was taken (first sample, or the last reset)", sum.baseline());
        one("threadleak_threads_over_baseline", "gauge", "Live threads minus the baseline", sum.delta());
        one("threadleak_threads_started_total", "counter", "Threads started since the agent loaded, platform and virtual", sum.agentStarted());
        one("threadleak_stack_reserved_bytes", "gauge", "Address space reserved for platform thread stacks (live platform threads times the stack size)", sum.stackReserved());
        sites(s);
        one("threadleak_long_blocked_threads", "gauge", "Threads in one wait (not waiting for work) for at least the blocked threshold", s.longBlocked().size());
        one("threadleak_deadlocked_threads", "gauge", "Threads in a lock cycle", deadlocked(s));
        findings(s);
        one("threadleak_samples_total", "counter", "Samples the agent has taken", cost.samples());
        one("threadleak_sample_seconds_total", "counter", "Time the agent has spent taking and judging samples", cost.sampleNanos() / 1e9);
        one("threadleak_dumps_total", "counter", "Dump files the agent has written", cost.dumps());
        one("threadleak_dump_seconds_total", "counter", "Time the agent has spent writing dump files", cost.dumpNanos() / 1e9);
        one("threadleak_hook_failures_total", "counter", "Throwables the agent's hook swallowed inside Thread.start or an executor method (0 normally)", sum.hookFailures());
        one("threadleak_thread_starts_dropped_total", "counter", "Thread starts the agent could not record (0 normally)", sum.startsDropped());
    }

    /**
     * Live threads per blame site (pool workers: where their pool was built), the {@link #TOP_SITES} largest with a
     * series each, the rest (and threads not seen starting) summed into {@code other} (always present, maybe 0);
     * two sites with one blame frame share a series.
     */
    private void sites(Snapshot s) {
        Map<String, Integer> live = new LinkedHashMap<>();
        Map<String, Long> started = new LinkedHashMap<>(); // the named sites: its size is how many have a series
        int other = 0;
        for (SiteGroup g : SiteGroup.of(s)) { // largest first
            Frame blame = g.site() == null ? null : g.site().blameFrame();
            String site = blame == null ? null : siteLabel(blame);
            if (site == null || started.size() >= TOP_SITES && !started.containsKey(site)) {
                other += g.threads().size();
            } else {
                live.merge(site, g.threads().size(), Integer::sum);
                started.merge(site, g.started(), Long::sum);
            }
        }
        live.put(OTHER, other);
        family("threadleak_site_live_threads", "gauge", "Live threads per creation site (Class.method:line of the blame frame), the top "
                + TOP_SITES + " by live threads, the rest in site=\"other\"");
        for (Map.Entry<String, Integer> e : live.entrySet()) sample("threadleak_site_live_threads", label("site", e.getKey()), e.getValue());
        family("threadleak_site_started_total", "counter", "Threads started per creation site since the agent loaded (executors built, for"
                + " the site of a pool's workers), for the sites of threadleak_site_live_threads; the total is threadleak_threads_started_total");
        for (Map.Entry<String, Long> e : started.entrySet()) sample("threadleak_site_started_total", label("site", e.getKey()), e.getValue());
    }

    /** {@code dev.acme.Poller.start:42}: the label value of a site. */
    static String siteLabel(Frame f) {
        return f.className() + "." + f.method() + (f.line() >= 0 ? ":" + f.line() : "");
    }

    /** Open findings per kind and severity, every pair present (0 when none), so alert expressions always have a series. */
    private void findings(Snapshot s) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Finding.Kind k : Finding.Kind.values()) {
            for (Finding.Severity v : Finding.Severity.values()) counts.put(label("kind", k.name()) + "," + label("severity", v.name()), 0);
        }
        for (Finding f : s.findings()) counts.merge(label("kind", f.kind().name()) + "," + label("severity", f.severity().name()), 1, Integer::sum);
        family("threadleak_findings", "gauge", "Open findings (leak verdicts of the latest sample) by kind and severity");
        for (Map.Entry<String, Integer> e : counts.entrySet()) sample("threadleak_findings", e.getKey(), e.getValue());
    }

    private static int deadlocked(Snapshot s) {
        Set<Long> threads = new HashSet<>();
        for (Deadlock d : s.deadlocks()) {
            for (Deadlock.Link l : d.cycle()) threads.add(l.thread().tid());
        }
        return threads.size();
    }

    /** A family of one series without labels. */
    private void one(String name, String type, String help, double value) {
        family(name, type, help);
        sample(name, "", value);
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) out.append('{').append(labels).append('}');
        out.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) out.append((long) value);
        else out.append(java.math.BigDecimal.valueOf(value).toPlainString()); // 1796007097.94, not 1.79600709794E9
        out.append('\n');
    }

    /** {@code name="value"}, the value escaped as the format asks (backslash, double quote, line feed). */
    static String label(String name, String value) {
        StringBuilder b = new StringBuilder(name.length() + value.length() + 3).append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') b.append("\\\\");
            else if (c == '"') b.append("\\\"");
            else if (c == '\n') b.append("\\n");
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
