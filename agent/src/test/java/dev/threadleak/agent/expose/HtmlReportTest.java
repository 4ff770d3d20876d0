package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A site started at {@code Leak.java:<line>}. */
    private static SiteInfo site(int id, int line) {
        return new SiteInfo(id, List.of(new Frame("java.lang.Thread", "start", "Thread.java", 798), new Frame("com.acme.Leak", "run", "Leak.java", line)), 1, false, 100);
    }

    /** A snapshot at {@code t} with {@code counts[i]} live threads of site i, each parked in one of two stacks. */
    private static Snapshot at(long t, List<SiteInfo> sites, List<Finding> findings, int... counts) {
        List<ThreadEntry> threads = new ArrayList<>();
        long tid = 1;
        for (int site = 0; site < counts.length; site++) {
            for (int n = 0; n < counts[site]; n++, tid++) {
                threads.add(ThreadEntry.builder(tid, "w-" + tid).state("WAITING").origin(Origin.STARTED).site(site).startedAtMs(0)
                        .stack(List.of(new Frame("jdk.internal.misc.Unsafe", "park", null, -2), new Frame("com.acme.W", "loop", "W.java", 1 + (int) (tid % 2))))
                        .waitReason("parked").build());
            }
        }
        return Snapshot.builder().pid(7).takenAtMs(t).summary(Summary.builder().live(threads.size()).build()).sites(sites).threads(threads)
                .findings(findings).blockedThresholdMs(60_000).build();
    }

    private static JsonNode data(Snapshot... series) throws Exception {
        HtmlReport.Series s = new HtmlReport.Series();
        for (Snapshot snapshot : series) s.add(snapshot);
        return JSON.readTree(s.data("test"));
    }

    @Test
    void eachSiteIsASeriesOverTheDumpsLargestNowFirstWithZeroWhereItHadNoThread() throws Exception {
        List<SiteInfo> sites = List.of(site(0, 10), site(1, 20));
        JsonNode d = data(at(1_000, sites, List.of(), 0, 3), at(2_000, sites, List.of(), 5, 3), at(3_000, sites, List.of(), 9, 1));
        assertThat(d.get("times")).extracting(JsonNode::asLong).containsExactly(1_000L, 2_000L, 3_000L);
        assertThat(d.get("total")).extracting(JsonNode::asInt).containsExactly(3, 8, 10);
        assertThat(d.get("sites")).hasSize(2);
        assertThat(d.get("sites").get(0).get("label").asText()).isEqualTo("started @ com.acme.Leak.run(Leak.java:10)");
        assertThat(d.get("sites").get(0).get("values")).extracting(JsonNode::asInt).containsExactly(0, 5, 9);
        assertThat(d.get("sites").get(1).get("values")).extracting(JsonNode::asInt).containsExactly(3, 3, 1);
    }

    @Test
    void sitesBeyondTheSeriesDrawnAreSummedInOne() throws Exception {
        List<SiteInfo> sites = new ArrayList<>();
        int[] counts = new int[HtmlReport.MAX_SERIES + 3];
        for (int i = 0; i < counts.length; i++) {
            sites.add(site(i, 100 + i));
            counts[i] = counts.length - i; // site 0 the largest
        }
        JsonNode d = data(at(1_000, sites, List.of(), counts));
        assertThat(d.get("sites")).hasSize(HtmlReport.MAX_SERIES);
        JsonNode rest = d.get("sites").get(HtmlReport.MAX_SERIES - 1);
        assertThat(rest.get("label").asText()).isEqualTo("4 other sites");
        assertThat(rest.get("values").get(0).asInt()).isEqualTo(4 + 3 + 2 + 1);
    }

    @Test
    void aFindingIsListedOnceMarkedWhereItsEvidenceFirstBeganAndSaysWhetherTheLastDumpStillRaisesIt() throws Exception {
        List<SiteInfo> sites = List.of(site(0, 10), site(1, 20));
        Finding growth = new Finding(Finding.Kind.SITE_GROWTH, Finding.Severity.HIGH, "grows", 0, 5, 1_500, List.of("5 then 9"));
        Finding blocked = new Finding(Finding.Kind.LONG_BLOCKED, Finding.Severity.MEDIUM, "stuck", 1, 3, 500, List.of("3 threads"));
        JsonNode d = data(at(1_000, sites, List.of(blocked), 0, 3), at(2_000, sites, List.of(growth), 5, 3),
                at(3_000, sites, List.of(growth.raised(2, 2_000)), 9, 3));
        assertThat(d.get("findings")).hasSize(2);
        JsonNode first = d.get("findings").get(0), second = d.get("findings").get(1);
        assertThat(first.get("kind").asText()).isEqualTo("SITE_GROWTH");
        assertThat(first.get("current").asBoolean()).isTrue();
        assertThat(first.get("sinceMs").asLong()).isEqualTo(1_500);
        assertThat(first.get("blame").asText()).isEqualTo("com.acme.Leak.run(Leak.java:10)");
        assertThat(first.get("site").asText()).isEqualTo(d.get("sites").get(0).get("key").asText());
        assertThat(second.get("kind").asText()).isEqualTo("LONG_BLOCKED");
        assertThat(second.get("current").asBoolean()).as("raised earlier only").isFalse();
    }

    @Test
    void equalStacksAreOneBranchOfTheTreeWeighedByTheirThreads() throws Exception {
        JsonNode current = data(at(1_000, List.of(site(0, 10)), List.of(), 6)).get("current");
        JsonNode root = current.get("root");
        assertThat(root.get(1).asInt()).as("every thread").isEqualTo(6);
        JsonNode outermost = root.get(2);
        assertThat(outermost).as("two distinct outermost frames: W.java:1 and W.java:2").hasSize(2);
        assertThat(outermost.get(0).get(1).asInt() + outermost.get(1).get(1).asInt()).isEqualTo(6);
        JsonNode park = outermost.get(0).get(2).get(0);
        assertThat(current.get("names").get(park.get(0).asInt()).asText()).isEqualTo("jdk.internal.misc.Unsafe.park(Native Method)");
        assertThat(current.get("names").get(park.get(2).get(0).get(0).asInt()).asText()).as("the wait, as the leaf").isEqualTo("WAITING: parked");
    }

    @Test
    void theLivePageChartsTheAgentsSamplesNamingSitesAsTheLastSnapshotDoes() throws Exception {
        List<SiteInfo> sites = List.of(site(0, 10), site(1, 20));
        Snapshot last = at(3_000, sites, List.of(), 4, 2);
        List<HtmlReport.Point> points = List.of(new HtmlReport.Point(1_000, 3, Map.of(0, 1)), new HtmlReport.Point(2_000, 6, Map.of(0, 2, 1, 2, 7, 1)),
                new HtmlReport.Point(3_000, 7, Map.of(0, 4, 1, 2)));
        JsonNode d = JSON.readTree(HtmlReport.Series.live(points, last).data("live", "/debug/page.json", 500));
        assertThat(d.get("refresh").asText()).isEqualTo("/debug/page.json");
        assertThat(d.get("refreshMs").asLong()).isEqualTo(500);
        assertThat(d.get("times")).extracting(JsonNode::asLong).containsExactly(1_000L, 2_000L, 3_000L);
        Map<String, List<Integer>> byLabel = new java.util.HashMap<>();
        for (JsonNode site : d.get("sites")) {
            List<Integer> values = new ArrayList<>();
            site.get("values").forEach(v -> values.add(v.asInt()));
            byLabel.put(site.get("label").asText(), values);
        }
        assertThat(byLabel).containsEntry("started @ com.acme.Leak.run(Leak.java:10)", List.of(1, 2, 4))
                .containsEntry("started @ com.acme.Leak.run(Leak.java:20)", List.of(0, 2, 2))
                .containsEntry("(a site with no live thread now)", List.of(0, 1, 0))
                .containsEntry("(not placed: the JVM's own, started before the agent, …)", List.of(2, 1, 1));
        assertThat(d.get("sites").get(0).get("key").asText()).as("a site's key as in the findings").startsWith("thread [");
    }

    @Test
    void aPointKeepsTheLargestSitesApartAndSumsTheRest() {
        Map<Integer, Integer> many = new java.util.HashMap<>();
        for (int site = 0; site < 100; site++) many.put(site, site + 1);
        HtmlReport.Point p = HtmlReport.Point.of(1, 5050, many);
        assertThat(p.siteAlive()).hasSize(HtmlReport.Point.POINT_SITES + 1).containsEntry(99, 100).containsEntry(68, 69).doesNotContainKey(67)
                .containsEntry(HtmlReport.Point.OTHER_SITES, (68 * 69) / 2);
        Map<Integer, Integer> few = Map.of(1, 2);
        assertThat(HtmlReport.Point.of(1, 2, few).siteAlive()).isSameAs(few);
    }

    @Test
    void noStringInTheDataCanEndItsScriptBlock() throws Exception {
        Finding evil = new Finding(Finding.Kind.SITE_GROWTH, Finding.Severity.HIGH, "</script><script>alert(1)</script>", 0, 1, 0, List.of("<!--"));
        String page = new String(HtmlReport.page(List.of(at(1_000, List.of(site(0, 10)), List.of(evil), 1)), "x"), StandardCharsets.UTF_8);
        String data = page.substring(page.indexOf("id=\"threadleak-data\">"), page.indexOf("</script>", page.indexOf("id=\"threadleak-data\">")));
        assertThat(data).doesNotContain("<").contains("\\u003c/script>\\u003cscript>alert(1)");
        assertThat(page).startsWith("<!doctype html>").endsWith("</html>\n");
    }
}
