package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {
    private static final List<Frame> PARKED = List.of(new Frame("jdk.internal.misc.Unsafe", "park", null, -2));

    /** 25 sites, site i with i + 1 live threads and 10 * i started, and 2 threads started before the agent. */
    private static Snapshot sites(String classOfSite24) {
        List<SiteInfo> sites = new ArrayList<>();
        List<ThreadEntry> threads = new ArrayList<>();
        long tid = 100;
        for (int i = 0; i < 25; i++) {
            String cls = i == 24 ? classOfSite24 : "com.acme.S" + i;
            sites.add(new SiteInfo(i, List.of(new Frame(cls, "start", "S.java", 10 + i)), 0, false, 10L * i));
            for (int k = 0; k <= i; k++) threads.add(thread(tid++, Origin.STARTED, i));
        }
        threads.add(thread(tid++, Origin.BEFORE_AGENT, -1));
        threads.add(thread(tid, Origin.BEFORE_AGENT, -1));
        Summary sum = Summary.builder().live(threads.size()).peak(threads.size()).jvmStarted(threads.size()).agentStarted(300).baseline(20)
                .states(Map.of("WAITING", threads.size())).build();
        return Snapshot.builder().pid(1).takenAtMs(1_796_007_097_940L).javaVersion("17").summary(sum).sites(sites).threads(threads)
                .blockedThresholdMs(60_000).build();
    }

    private static ThreadEntry thread(long tid, Origin origin, int site) {
        return ThreadEntry.builder(tid, "t-" + tid).state("WAITING").stack(PARKED).origin(origin).site(site).waitReason("parked").build();
    }

    private static String render(Snapshot s) {
        return render(PrometheusMetrics.Format.TEXT, s);
    }

    private static String render(PrometheusMetrics.Format format, Snapshot s) {
        return PrometheusMetrics.render(format, s, new PrometheusMetrics.JvmThreads(1, 1, 1, 1), new AgentCost(3, 1_500_000_000L, 1, 250_000_000L));
    }

    @Test
    void theTwentyLargestSitesHaveASeriesAndTheRestAreOther() {
        String out = render(sites("com.acme.S24"));
        List<String> live = out.lines().filter(l -> l.startsWith("threadleak_site_live_threads{")).toList();
        assertThat(live).hasSize(21).startsWith("threadleak_site_live_threads{site=\"com.acme.S24.start:34\"} 25")
                .endsWith("threadleak_site_live_threads{site=\"other\"} 17"); // sites 0..4 (1+2+3+4+5) and 2 before the agent
        assertThat(out).contains("threadleak_site_live_threads{site=\"com.acme.S5.start:15\"} 6\n")
                .doesNotContain("site=\"com.acme.S4.start")
                .contains("threadleak_site_started_total{site=\"com.acme.S5.start:15\"} 50\n")
                .doesNotContain("threadleak_site_started_total{site=\"other\"}");
        assertThat(out).contains("threadleak_sample_timestamp_seconds 1796007097.94\n", "threadleak_sample_seconds_total 1.5\n",
                "threadleak_dump_seconds_total 0.25\n", "jvm_threads_state{state=\"WAITING\"} " + (325 + 2) + "\n",
                "threadleak_findings{kind=\"DEADLOCK\",severity=\"CRITICAL\"} 0\n");
    }

    @Test
    void labelValuesAreEscaped() {
        // the JVM allows '"' and '\' in class names, though Java source does not
        String out = render(sites("odd\"Cls\\x"));
        assertThat(out).contains("threadleak_site_live_threads{site=\"odd\\\"Cls\\\\x.start:34\"} 25\n");
    }

    /** Prometheus's own Accept header gets OpenMetrics; no header, a plain one, or OpenMetrics ranked lower gets the text format. */
    @Test
    void acceptNegotiatesOpenMetricsByQValue() {
        String prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assertThat(PrometheusMetrics.negotiate(prometheus)).isEqualTo(PrometheusMetrics.Format.OPENMETRICS);
        assertThat(PrometheusMetrics.negotiate("application/openmetrics-text; version=0.0.1")).isEqualTo(PrometheusMetrics.Format.OPENMETRICS);
        assertThat(PrometheusMetrics.negotiate(null)).isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("*/*")).isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("text/plain;version=0.0.4")).isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("application/openmetrics-text;q=0.4,text/plain;q=0.5")).isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("application/openmetrics-text;q=0")).isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("application/openmetrics-text;version=2.0.0")).as("a version not written").isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("application/openmetrics-text;q=x")).as("a q-value that does not parse").isEqualTo(PrometheusMetrics.Format.TEXT);
        assertThat(PrometheusMetrics.negotiate("text/plain,;")).as("a range of only a separator").isEqualTo(PrometheusMetrics.Format.TEXT);
    }

    /** The same families and samples in both formats; OpenMetrics names counters without _total, states units, escapes '"' in HELP and ends with # EOF. */
    @Test
    void openMetricsHasTheSameSamplesAsTheTextFormat() {
        Snapshot s = sites("com.acme.S24");
        String text = render(s), open = render(PrometheusMetrics.Format.OPENMETRICS, s);
        assertThat(open.lines().filter(l -> !l.startsWith("#")).toList()).isEqualTo(text.lines().filter(l -> !l.startsWith("#")).toList());
        assertThat(open).endsWith("threadleak_thread_starts_dropped_total 0\n# HELP threadleak_creation_stacks_skipped Thread starts recorded without the creation stack they were due: a burst of starts outran the agent (0 normally)\n# TYPE threadleak_creation_stacks_skipped counter\nthreadleak_creation_stacks_skipped_total 0\n# EOF\n")
                .contains("# TYPE threadleak_threads_started counter\n", "# TYPE jvm_threads_started counter\n",
                        "# TYPE threadleak_sample_seconds counter\n# UNIT threadleak_sample_seconds seconds\nthreadleak_sample_seconds_total 1.5\n",
                        "# TYPE threadleak_stack_reserved_bytes gauge\n# UNIT threadleak_stack_reserved_bytes bytes\n",
                        "# UNIT threadleak_sample_timestamp_seconds seconds\n",
                        "the rest in site=\\\"other\\\"\n")
                .doesNotContain("# TYPE threadleak_threads_started_total", "# UNIT threadleak_live_threads");
        assertThat(text).contains("# TYPE threadleak_threads_started_total counter\n", "the rest in site=\"other\"\n")
                .doesNotContain("# UNIT", "# EOF");
    }
}
