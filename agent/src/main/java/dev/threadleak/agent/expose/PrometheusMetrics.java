package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /metrics}: the Prometheus text exposition format 0.0.4, or OpenMetrics 1.0.0 when the scraper asks for it,
 * written here rather than with client_java: a dozen metric families read from one snapshot need no registry, and
 * the agent jar stays free of another library to relocate. The {@code jvm_threads_*} families have the names and
 * meaning of client_java's JVM metrics, so existing dashboards work; the {@code threadleak_*} families come from the
 * snapshot. One list of families serves both formats: they differ only in how a family is introduced (OpenMetrics
 * names a counter without {@code _total} and states units) and in the final {@code # EOF}.
 */
public final class PrometheusMetrics {
    /** The formats of {@code /metrics}, chosen by the request's {@code Accept} header ({@link #negotiate}). */
    public enum Format {
        TEXT("text/plain; version=0.0.4; charset=utf-8"),
        OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

        public final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }
    }

    static final String OTHER = "other";

    /** ThreadMXBean's counters at the scrape (constant-time reads, no stack walk), as client_java reports them. */
    public record JvmThreads(int current, int daemon, int peak, long started) {}

    private final Format format;
    private final StringBuilder out = new StringBuilder(8192);

    private PrometheusMetrics(Format format) {
        this.format = format;
    }

    /** The exposition of {@code s} (the latest sample), {@code jvm} and the agent's {@code cost}, in {@code format}. */
    public static String render(Format format, Snapshot s, JvmThreads jvm, AgentCost cost) {
        PrometheusMetrics m = new PrometheusMetrics(format);
        m.jvm(s, jvm);
        m.threadleak(s, cost);
        if (format == Format.OPENMETRICS) m.out.append("# EOF\n");
        return m.out.toString();
    }

    /**
     * OpenMetrics when the {@code Accept} header ranks it (version 1.0.0, 0.0.1 or none) at least as high as anything
     * the text format answers ({@code text/plain} of version 0.0.4 or none, {@code text/*}, {@code *}{@code /*}), by their
     * q-values; the text format otherwise, and without the header. Prometheus sends
     * {@code application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*}{@code /*;q=0.1}. A
     * media range whose q-value does not parse counts as not acceptable.
     */
    public static Format negotiate(String accept) {
        if (accept == null) return Format.TEXT;
        double openMetrics = 0, text = 0;
        // limit -1: a range of only parameters (";") still has its type, empty, at index 0
        for (String range : accept.split(",", -1)) {
            String[] parts = range.split(";", -1);
            String type = parts[0].trim().toLowerCase(Locale.ROOT);
            String version = null;
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq < 0) continue;
                String name = parts[i].substring(0, eq).trim().toLowerCase(Locale.ROOT), value = parts[i].substring(eq + 1).trim();
                if (name.equals("version")) version = value;
                else if (name.equals("q")) q = qValue(value);
            }
            if (type.equals("application/openmetrics-text") && (version == null || version.equals("1.0.0") || version.equals("0.0.1"))) {
                openMetrics = Math.max(openMetrics, q);
            } else if ((type.equals("text/plain") && (version == null || version.equals("0.0.4"))) || type.equals("text/*") || type.equals("*/*")) {
                text = Math.max(text, q);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? Format.OPENMETRICS : Format.TEXT;
    }

    /** A q-value from 0 to 1; 0 (not acceptable) when it is not one. */
    private static double qValue(String value) {
        try {
            double q = Double.parseDouble(value);
            return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void jvm(Snapshot s, JvmThreads jvm) {
        one("jvm_threads_current", "gauge", "Current thread count of a JVM", jvm.current());
        one("jvm_threads_daemon", "gauge", "Daemon thread count of a JVM", jvm.daemon());
        one("jvm_threads_peak", "gauge", "Peak thread count of a JVM", jvm.peak());
        one("jvm_threads_started_total", "counter", "Started thread count of a JVM", (double) jvm.started());
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
        one("threadleak_threads_started_total", "counter", "Threads started since the agent loaded, platform and virtual", (double) sum.agentStarted());
        one("threadleak_stack_reserved_bytes", "gauge", "Address space reserved for platform thread stacks (live platform threads times the stack size)", (double) sum.stackReserved());
        sites(s);
        one("threadleak_long_blocked_threads", "gauge", "Threads in one wait (not waiting for work) for at least the blocked threshold", s.longBlocked().size());
        one("threadleak_deadlocked_threads", "gauge", "Threads in a lock cycle", deadlocked(s));
        findings(s);
        one("threadleak_samples_total", "counter", "Samples the agent has taken", (double) cost.samples());
        one("threadleak_sample_seconds_total", "counter", "Time the agent has spent taking and judging samples", cost.sampleNanos() / 1e9);
        one("threadleak_dumps_total", "counter", "Dump files the agent has written", (double) cost.dumps());
        one("threadleak_dump_seconds_total", "counter", "Time the agent has spent writing dump files", cost.dumpNanos() / 1e9);
        one("threadleak_hook_failures_total", "counter", "Throwables the agent's hook swallowed inside Thread.start or an executor method (0 normally)", (double) sum.hookFailures());
        one("threadleak_thread_starts_dropped_total", "counter", "Thread starts the agent could not record (0 normally)", (double) sum.startsDropped());
        one("threadleak_creation_stacks_skipped_total", "counter",
                "Thread starts recorded without the creation stack they were due: a burst of starts outran the agent (0 normally)", (double) sum.stacksSkipped());
    }

    /**
     * Live threads per blame site (pool workers: where their pool was built), the {@link SiteGroup#TOP_SITES} largest with a
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
            if (site == null || (started.size() >= SiteGroup.TOP_SITES && !started.containsKey(site))) {
                other += g.threads().size();
            } else {
                live.merge(site, g.threads().size(), Integer::sum);
                started.merge(site, g.started(), Long::sum);
            }
        }
        live.put(OTHER, other);
        family("threadleak_site_live_threads", "gauge", "Live threads per creation site (Class.method:line of the blame frame), the top "
                + SiteGroup.TOP_SITES + " by live threads, the rest in site=\"other\"");
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

    /**
     * A family's metadata. {@code name} is the name of its samples (a counter's ends with {@code _total}); OpenMetrics
     * names the family without that suffix and states the unit that ends the name ({@code _seconds}, {@code _bytes}).
     */
    private void family(String name, String type, String help) {
        String family = name;
        if (format == Format.OPENMETRICS && type.equals("counter")) family = name.substring(0, name.length() - "_total".length());
        out.append("# HELP ").append(family).append(' ');
        escape(help, format == Format.OPENMETRICS, out);
        out.append('\n');
        out.append("# TYPE ").append(family).append(' ').append(type).append('\n');
        if (format == Format.OPENMETRICS) {
            String unit = family.substring(family.lastIndexOf('_') + 1);
            if (unit.equals("seconds") || unit.equals("bytes")) out.append("# UNIT ").append(family).append(' ').append(unit).append('\n');
        }
    }

    private void sample(String name, String labels, double value) {
        out.append(name);
        if (!labels.isEmpty()) out.append('{').append(labels).append('}');
        out.append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) out.append((long) value);
        else out.append(java.math.BigDecimal.valueOf(value).toPlainString()); // 1796007097.94, not 1.79600709794E9
        out.append('\n');
    }

    /** {@code name="value"}, the value escaped as both formats ask (backslash, double quote, line feed). */
    static String label(String name, String value) {
        StringBuilder b = new StringBuilder(name.length() + value.length() + 3).append(name).append("=\"");
        escape(value, true, b);
        return b.append('"').toString();
    }

    /**
     * The exposition formats' escapes, not {@link dev.threadleak.agent.snapshot.Printable}'s: backslash and line feed,
     * and the double quote where {@code quotes} (label values; help text in OpenMetrics only).
     */
    private static void escape(String text, boolean quotes, StringBuilder to) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') to.append("\\\\");
            else if (c == '\n') to.append("\\n");
            else if (c == '"' && quotes) to.append("\\\"");
            else to.append(c);
        }
    }
}
