package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.registry.Origin;
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
        Summary sum = new Summary(threads.size(), 0, 0, threads.size(), threads.size(), 300, 20, Map.of("WAITING", threads.size()), 0, 0, 0, 0);
        return new Snapshot(1, 1_796_007_097_940L, 0, 0, "17", "", sum, sites, threads, 60_000, List.of(), List.of(), List.of());
    }

    private static ThreadEntry thread(long tid, Origin origin, int site) {
        return ThreadEntry.builder(tid, "t-" + tid).state("WAITING").stack(PARKED).origin(origin).site(site).waitReason("parked").build();
    }

    private static String render(Snapshot s) {
        return PrometheusMetrics.render(s, new PrometheusMetrics.JvmThreads(1, 1, 1, 1), new AgentCost(3, 1_500_000_000L, 1, 250_000_000L));
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
}
