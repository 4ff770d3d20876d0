package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadleak.agent.expose.HtmlReport;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.Summary;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code threadleak html}, looked at in a real browser (headless Chromium over the DevTools protocol, see {@link Browser}):
 * the page of a leaky sample's dumps on each JDK, clicked, searched and hovered as a person would, and a 10,000-thread
 * page timed. Every page must open without a console error or uncaught exception.
 */
@Execution(ExecutionMode.CONCURRENT) // beside other classes: it mostly waits for its samples' leak and for the browser
@ResourceLock("chromium") // its own cases one at a time: they share one browser tab
class HtmlIT {
    private static final String LEAK = "dev.threadleak.samples.ExecutorPerRequest.handleRequest(ExecutorPerRequest.java:";
    private static final Map<Jdk, Path> PAGES = new HashMap<>();
    private static Browser browser;

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /**
     * Runs the executor-per-request sample on every JDK at once, a dump every 250 ms, until its dumps show the leak raised;
     * stops it as a service is stopped; writes each JDK's page from the dump directory, with the CLI.
     */
    @BeforeAll
    static void pages(@TempDir Path base) throws Exception {
        Path chromium = Browser.find().orElse(null);
        assumeTrue(chromium != null, "no Chromium on this machine (.ci/run installs it; -Dthreadleak.browser=PATH names one)");
        Map<Jdk, ChildJvm> running = new HashMap<>();
        try {
            for (Jdk jdk : jdks()) {
                Path dir = base.resolve("dumps-" + jdk.feature());
                running.put(jdk, ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=250ms,sample=250ms,window=2s")),
                        "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.ExecutorPerRequest", "60"));
            }
            for (Map.Entry<Jdk, ChildJvm> r : running.entrySet()) {
                Path dir = base.resolve("dumps-" + r.getKey().feature());
                ChildJvm.await(r.getKey() + ": the leak raised in a dump", Duration.ofSeconds(60), () -> {
                    List<Path> dumps = ChildJvm.dumps(dir);
                    return dumps.size() >= 4 && raisesGrowth(dumps.get(dumps.size() - 1));
                });
                assertThat(r.getValue().stop()).as("%s stopped by SIGTERM; stderr: %s", r.getKey(), r.getValue().stderr()).isEqualTo(143);
                Path page = base.resolve("page-" + r.getKey().feature() + ".html");
                ChildJvm.Result html = ChildJvm.cli("html", "-o", page.toString(), dir.toString());
                assertThat(html.exitCode()).as("html: %s", html.stderr()).isZero();
                assertThat(html.stderr()).isEmpty();
                PAGES.put(r.getKey(), page);
            }
        } finally {
            running.values().forEach(ChildJvm::close);
        }
        browser = new Browser(chromium, Files.createDirectories(base.resolve("chromium")), 1280, 900);
    }

    private static boolean raisesGrowth(Path dump) {
        try {
            return ChildJvm.readDump(dump).findings().stream().anyMatch(f -> f.kind() == Finding.Kind.SITE_GROWTH);
        } catch (Exception beingWritten) {
            return false;
        }
    }

    @AfterAll
    static void closeBrowser() throws InterruptedException {
        if (browser != null) browser.close();
    }

    private static JsonNode open(Path page) {
        browser.open(page.toUri().toString());
        assertThat(browser.eval("document.body.getAttribute('data-rendered-ms')").isNull()).as("the page's script ran to its end").isFalse();
        return browser.eval("JSON.parse(document.getElementById('threadleak-data').textContent)");
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void theLeakingSitesLineClimbsWithItsFindingMarkedWhereItBegan(Jdk jdk) throws Exception {
        JsonNode data = open(PAGES.get(jdk));
        int line = ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:");
        assertThat(data.get("times").size()).as("one point per dump of the series").isGreaterThanOrEqualTo(4);
        int sites = data.get("sites").size();
        assertThat(browser.eval("document.querySelectorAll('#chart path.series').length").asInt()).as("one series per site").isEqualTo(sites);
        assertThat(browser.eval("document.querySelectorAll('#legend .legend-item').length").asInt()).isEqualTo(sites);
        JsonNode leak = data.get("sites").get(0);
        assertThat(leak.get("label").asText()).as("the largest site is the leak's line").endsWith(LEAK + line + ")");
        JsonNode values = leak.get("values");
        assertThat(values.get(values.size() - 1).asInt()).as("climbing: %s", values).isGreaterThan(values.get(0).asInt());
        String key = leak.get("key").asText();
        assertThat(browser.eval("[...document.querySelectorAll('#chart .finding-marker.HIGH')].map(m => m.getAttribute('data-site'))"))
                .as("the growth finding marked on the chart").anySatisfy(site -> assertThat(site.asText()).isEqualTo(key));
        assertThat(browser.eval("document.querySelector('#findings .finding.HIGH .site-link').textContent").asText()).isEqualTo(LEAK + line + ")");
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void clickingASiteShowsItAloneAndClickingAgainShowsAll(Jdk jdk) {
        JsonNode data = open(PAGES.get(jdk));
        String key = data.get("sites").get(0).get("key").asText();
        assumeTrue(data.get("sites").size() > 1, "one site only: nothing to filter out");
        browser.click("#legend .legend-item");
        assertThat(browser.eval("[...document.querySelectorAll('#chart path.series')].map(p => p.getAttribute('data-key'))"))
                .as("the site alone").singleElement().satisfies(k -> assertThat(k.asText()).isEqualTo(key));
        assertThat(browser.eval("document.querySelectorAll('#legend .legend-item.off').length").asInt()).isEqualTo(data.get("sites").size() - 1);
        browser.click("#legend .legend-item.selected");
        assertThat(browser.eval("document.querySelectorAll('#chart path.series').length").asInt()).isEqualTo(data.get("sites").size());
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void clickingAFrameZoomsIntoItAndResetZoomsOut(Jdk jdk) {
        open(PAGES.get(jdk));
        String frame = "[...document.querySelectorAll('#creation .frame')].find(f => f.title.includes('handleRequest'))";
        assertThat(browser.eval(frame + ".style.width").asText()).as("not the whole width before").isNotEqualTo("100%");
        browser.eval(frame + ".id = 'clicked'");
        browser.click("#clicked");
        assertThat(browser.eval(frame + ".style.width").asText()).as("zoomed: the frame spans the graph").isEqualTo("100%");
        assertThat(browser.eval("document.querySelector('#creation .frame').classList.contains('ancestor')").asBoolean())
                .as("the root stays above, as an ancestor").isTrue();
        assertThat(browser.eval("[...document.querySelectorAll('#creation .frame')].some(f => f.title.startsWith('(started'))").asBoolean())
                .as("frames outside the zoomed one are gone").isFalse();
        browser.click("#creation-toolbar button");
        assertThat(browser.eval("document.querySelector('#creation .frame').classList.contains('ancestor')").asBoolean()).isFalse();
        assertThat(browser.eval(frame + ".style.width").asText()).isNotEqualTo("100%");
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void searchHighlightsTheFramesThatMatch(Jdk jdk) {
        open(PAGES.get(jdk));
        browser.type("#current-toolbar input", "LinkedBlockingQueue.take");
        JsonNode matched = browser.eval("[...document.querySelectorAll('#current .frame.match')].map(f => f.title)");
        assertThat(matched).as("the idle workers' frame").isNotEmpty()
                .allSatisfy(t -> assertThat(t.asText()).contains("LinkedBlockingQueue.take"));
        assertThat(browser.eval("document.querySelectorAll('#current .frame:not(.match)').length").asInt()).as("the rest are not").isPositive();
        assertThat(browser.eval("document.querySelector('#current-toolbar span').textContent").asText()).endsWith("frames match");
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    @Test
    void hoveringTheChartShowsEachSitesCountAtThatTime() {
        JsonNode data = open(PAGES.values().iterator().next());
        JsonNode box = browser.eval("(() => { const r = document.querySelector('#chart svg').getBoundingClientRect(); "
                + "document.querySelector('#chart').scrollIntoView({block: 'center'}); const q = document.querySelector('#chart svg').getBoundingClientRect();"
                + " return {x: q.right - 20, y: q.top + q.height / 2}; })()");
        browser.hover(box.get("x").asDouble(), box.get("y").asDouble());
        String tip = browser.eval("document.getElementById('tooltip').style.display + ' ' + document.getElementById('tooltip').textContent").asText();
        JsonNode total = data.get("total");
        assertThat(tip).startsWith("block ").contains(total.get(total.size() - 1).asInt() + " live").contains(LEAK);
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    /**
     * The endpoint serves the page at {@code /}, behind its token as every page, and the page redraws itself from the
     * endpoint's JSON at every sample: the leak's line climbs while it is open.
     */
    @Test
    void theEndpointServesThePageLiveBehindItsTokenAndItRedrawsAtEachSample(@TempDir Path dir) throws Exception {
        int port = HttpIT.freePort();
        Path token = Files.writeString(dir.resolve("token"), "s3cret-" + port + "\n");
        String base = "http://127.0.0.1:" + port;
        try (ChildJvm child = ChildJvm.start(jdks().get(0), List.of(ChildJvm.agent("interval=0,sample=500ms,window=5s,http=127.0.0.1:" + port
                + ",token=" + token)), "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.ExecutorPerRequest", "60")) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest.Builder authorized = HttpRequest.newBuilder(URI.create(base + "/")).header("Authorization", "Bearer s3cret-" + port);
            ChildJvm.await("the page", Duration.ofSeconds(30), () -> status(http, authorized) == 200);
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/")))).as("without the token, as every page").isEqualTo(401);
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/debug/page.json")))).isEqualTo(401);
            HttpResponse<String> page = http.send(authorized.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(p -> assertThat(p).contains("connect-src 'self'"));

            browser.headers(Map.of("Authorization", "Bearer s3cret-" + port));
            try {
                browser.open(base + "/");
                long first = browser.eval("+document.body.getAttribute('data-taken-at')").asLong();
                browser.type("#current-toolbar input", "LinkedBlockingQueue.take");
                String leak = LEAK + ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:") + ")";
                ChildJvm.await("the page redrawn from a later sample, the leak's site the largest", Duration.ofSeconds(30), () ->
                        browser.eval("+document.body.getAttribute('data-taken-at')").asLong() > first
                                && browser.eval("document.querySelector('#legend .legend-item').textContent").asText().contains(leak));
                assertThat(browser.eval("document.getElementById('refresh').textContent").asText()).startsWith("live: redrawn ");
                assertThat(browser.eval("document.querySelector('#current-toolbar input').value").asText()).as("the search kept")
                        .isEqualTo("LinkedBlockingQueue.take");
                assertThat(browser.eval("document.querySelectorAll('#current .frame.match').length").asInt()).isPositive();
                assertThat(browser.eval("document.querySelectorAll('#chart path.series').length").asInt()).isPositive();
                assertThat(browser.errors()).as("console errors").isEmpty();
            } finally {
                browser.headers(Map.of());
            }
        }
    }

    private static int status(HttpClient http, HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not up yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A report of 10,000 live threads (200 sites, stacks 40 deep, names that try to break out of the page) renders within 2 s. */
    @Test
    void tenThousandThreadsRenderWithinTwoSeconds(@TempDir Path tmp) throws Exception {
        Path page = tmp.resolve("10k.html");
        Files.write(page, HtmlReport.page(series(10_000, 200, 8), "synthetic"));
        browser.open(page.toUri().toString());
        double loadMs = browser.eval("performance.getEntriesByType('navigation')[0].loadEventEnd").asDouble();
        assertThat(loadMs).as("navigation to load end, ms").isLessThan(2000);
        assertThat(browser.eval("document.querySelectorAll('#chart path.series').length").asInt()).isEqualTo(HtmlReport.MAX_SERIES);
        assertThat(browser.eval("document.querySelectorAll('b, i, img').length").asInt()).as("names are text, never markup").isZero();
        assertThat(browser.eval("[...document.querySelectorAll('#current .frame')].some(f => f.title.includes('</script>'))").asBoolean())
                .as("a wait named with </script> is shown as it is").isTrue();
        assertThat(browser.eval("document.querySelectorAll('.frame').length").asInt()).as("frames too narrow to see are not drawn").isLessThan(20_000);
        assertThat(browser.errors()).as("console errors").isEmpty();
    }

    /** {@code dumps} snapshots of a JVM whose {@code threads} live threads (at the last) come from {@code sites} sites. */
    private static List<Snapshot> series(int threads, int sites, int dumps) {
        List<SiteInfo> siteInfos = new ArrayList<>();
        for (int s = 0; s < sites; s++) {
            List<Frame> stack = new ArrayList<>();
            stack.add(new Frame("java.lang.Thread", "start", "Thread.java", 798));
            for (int d = 0; d < 40; d++) stack.add(new Frame("com.acme.module" + (s % 17) + ".Layer" + d, "call" + (s % 5), "Layer" + d + ".java", 10 + s));
            siteInfos.add(new SiteInfo(s, stack, 1, false, threads));
        }
        List<Snapshot> out = new ArrayList<>();
        long t0 = 1_760_000_000_000L;
        for (int i = 1; i <= dumps; i++) {
            int live = threads * i / dumps;
            List<ThreadEntry> entries = new ArrayList<>(live);
            for (int n = 0; n < live; n++) {
                int site = n % sites;
                List<Frame> stack = new ArrayList<>();
                stack.add(new Frame("jdk.internal.misc.Unsafe", "park", null, -2));
                for (int d = 0; d < 30; d++) stack.add(new Frame("com.acme.wait" + (n % 23), "step" + d, "Wait.java", d + n % 7));
                entries.add(ThreadEntry.builder(100 + n, "<b>worker</b><img src=x onerror=alert(1)>-" + n).state("WAITING").stack(stack)
                        .origin(Origin.STARTED).site(site).startedAtMs(t0).waitReason("parked </script><script>alert(2)</script>").build());
            }
            out.add(Snapshot.builder().pid(4242).takenAtMs(t0 + i * 5_000L).jvmStartedAtMs(t0).agentStartedAtMs(t0).javaVersion("17.0.9")
                    .command("com.acme.Main").summary(Summary.builder().live(live).peak(live).baseline(10).build()).sites(siteInfos)
                    .threads(entries).blockedThresholdMs(60_000)
                    .findings(List.of(new Finding(Finding.Kind.SITE_GROWTH, Finding.Severity.HIGH, "<i>grows</i>", 0, live / sites, t0 + 5_000,
                            List.of("evidence </script>")))).build());
        }
        return out;
    }
}
