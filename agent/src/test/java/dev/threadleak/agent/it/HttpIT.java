package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code http=} endpoint read the way Prometheus, a probe and a person with curl read it: over HTTP, from outside. */
class HttpIT {
    /** Where the agents of tests that read no dump keep their dumps and hooked-classes file: not the shared default. */
    @TempDir
    static Path agentDir;

    private static String agent(String options) {
        return ChildJvm.agent("dir=" + agentDir + "," + options);
    }

    static final String LEAK_SITE = "dev.threadleak.samples.BlockedConsumers.handleRequest:";
    /** What Prometheus 2.42 sends (seen on the wire): OpenMetrics first, the text format second. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void pagesShowTheLeakAndMetricsMatchTheDump(Jdk jdk, @TempDir Path dir) throws Exception {
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,sample=1s,window=3s,blocked=1s,growth=5,http=" + port),
                "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.BlockedConsumers", "60")) {
            String base = "http://127.0.0.1:" + port;
            AtomicReference<HttpResponse<String>> health = new AtomicReference<>();
            ChildJvm.await("/health to answer 503 for the SITE_GROWTH finding", Duration.ofSeconds(40), () -> {
                health.set(getOrNull(base + "/health"));
                return health.get() != null && health.get().statusCode() == 503;
            });
            assertThat(health.get().headers().firstValue("Content-Type")).contains("application/json");
            assertThat(health.get().body()).contains("\"status\" : \"unhealthy\"").contains("\"kind\" : \"SITE_GROWTH\"")
                    .contains("\"blame\" : \"dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:")
                    .contains("\"stackReservedBytes\"").contains("\"heapUsedBytes\"")
                    .containsPattern("\"reasons\" : \\[ \"SITE_GROWTH finding since 20\\d\\d-[^ ]+Z \\((\\d+) samples in a row\\): ");
            int heldFor = Integer.parseInt(health.get().body().replaceAll("(?s).*\\((\\d+) samples in a row\\).*", "$1"));
            assertThat(heldFor).as("a SITE_GROWTH finding fails /health once it has held for 3 samples").isGreaterThanOrEqualTo(3);

            // one sample seen twice: /metrics, the dump page, /metrics again, all taken from the same sample
            String metrics = null;
            Snapshot dump = null;
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < end) {
                String before = get(base + "/metrics").body();
                Snapshot read = SnapshotCodec.read(new ByteArrayInputStream(get(base + "/debug/threads.json").body().getBytes(StandardCharsets.UTF_8)), "http");
                String after = get(base + "/metrics").body();
                double at = read.takenAtMs() / 1000.0;
                if (value(before, "threadleak_sample_timestamp_seconds") == at && value(after, "threadleak_sample_timestamp_seconds") == at) {
                    metrics = before;
                    dump = ChildJvm.assertHookNeverFailed(read);
                    break;
                }
            }
            assertThat(metrics).as("/metrics and /debug/threads.json from one sample within 30 s").isNotNull();
            assertThat(value(metrics, "threadleak_live_threads")).isEqualTo(dump.summary().live()).isGreaterThan(10);
            assertThat(value(metrics, "threadleak_baseline_threads")).isEqualTo(dump.summary().baseline());
            assertThat(value(metrics, "threadleak_threads_over_baseline")).isEqualTo(dump.summary().delta()).isGreaterThan(5);
            assertThat(value(metrics, "threadleak_threads_started_total")).isEqualTo(dump.summary().agentStarted());
            assertThat(value(metrics, "threadleak_long_blocked_threads")).isEqualTo(dump.longBlocked().size()).isGreaterThanOrEqualTo(3);
            assertThat(value(metrics, "threadleak_deadlocked_threads")).isZero();
            assertThat(value(metrics, "threadleak_findings{kind=\"SITE_GROWTH\",severity=\"HIGH\"}"))
                    .isEqualTo(dump.findings().stream().filter(f -> f.kind().name().equals("SITE_GROWTH") && f.severity().name().equals("HIGH")).count())
                    .isEqualTo(1);
            SiteGroup top = SiteGroup.of(dump).get(0);
            String topLabel = "threadleak_site_live_threads{site=\"" + top.site().blameFrame().className() + "." + top.site().blameFrame().method()
                    + ":" + top.site().blameFrame().line() + "\"}";
            assertThat(topLabel).contains(LEAK_SITE);
            assertThat(value(metrics, topLabel)).isEqualTo(top.threads().size());
            assertThat(value(metrics, topLabel.replace("site_live_threads", "site_started_total"))).isEqualTo(top.started());
            assertThat(value(metrics, "jvm_threads_started_total")).isGreaterThanOrEqualTo(top.started());
            assertThat(value(metrics, "jvm_threads_current")).isGreaterThanOrEqualTo(10);
            assertThat(value(metrics, "jvm_threads_state{state=\"WAITING\"}")).isGreaterThanOrEqualTo(3);
            assertThat(value(metrics, "threadleak_samples_total")).isGreaterThanOrEqualTo(2);
            assertThat(value(metrics, "threadleak_sample_seconds_total")).isGreaterThan(0);
            assertThat(value(metrics, "threadleak_hook_failures_total")).isZero();

            // the server's threads are the agent's own: flagged in the dump, never in groups or counts
            List<String> serverThreads = new ArrayList<>();
            for (ThreadEntry t : dump.threads()) {
                if (t.name().startsWith("threadleak-http")) serverThreads.add(t.name() + (t.agentThread() ? "" : " NOT OWN"));
            }
            assertThat(serverThreads).contains("threadleak-http", "threadleak-http-1").allMatch(n -> !n.endsWith("NOT OWN"));
            Snapshot seen = dump;
            assertThat(seen.threads()).as("every thread the endpoint started is the agent's own")
                    .filteredOn(t -> !t.agentThread() && seen.site(t.site()) != null && seen.site(t.site()).stack().toString().contains("dev.threadleak.agent.expose."))
                    .isEmpty();
            assertThat(metrics).doesNotContain("site=\"dev.threadleak.agent");

            HttpResponse<String> grouped = get(base + "/debug/threads?debug=1");
            assertThat(grouped.statusCode()).isEqualTo(200);
            assertThat(grouped.body()).startsWith("threadleak report: live JVM over HTTP").contains("[HIGH] SITE_GROWTH")
                    .contains("@ dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:").doesNotContain("threadleak-http");
            assertThat(get(base + "/debug/threads").body()).as("debug=1 is the default").contains("[HIGH] SITE_GROWTH");
            String every = get(base + "/debug/threads?debug=2").body();
            assertThat(every).contains("\"consumer-1\" #").contains("java.lang.Thread.State: WAITING")
                    .contains("at dev.threadleak.samples.BlockedConsumers.consume(BlockedConsumers.java:")
                    .contains("created by dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:").contains(" in thread \"main\" #");
        }
    }

    /**
     * Go's tooling reads {@code /debug/pprof/goroutine} as it reads a Go service's: the real {@code go tool pprof}, given
     * the URL, sees a goroutine profile whose identical threads are one trace with their count, rooted at the leaking line;
     * {@code labels=thread} keeps a sample per thread; {@code debug=1} and {@code debug=2} are Go's text layouts, and
     * {@code /debug/pprof/} is Go's index.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void goToolPprofReadsTheGoroutinePage(Jdk jdk) throws Exception {
        assumeTrue(CliExportIT.commandWorks("go", "version"), "go is not installed (Debian: apt-get install golang-go)");
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,sample=1s,window=3s,blocked=1s,growth=5,http=" + port),
                "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.BlockedConsumers", "60")) {
            String base = "http://127.0.0.1:" + port, page = base + "/debug/pprof/goroutine";
            ChildJvm.await("the report to show the SITE_GROWTH finding", Duration.ofSeconds(40), () -> {
                HttpResponse<String> report = getOrNull(base + "/debug/threads");
                return report != null && report.statusCode() == 200 && report.body().contains("[HIGH] SITE_GROWTH");
            });
            String top = CliExportIT.go("tool", "pprof", "-top", "-lines", page);
            assertThat(top).contains("Type: goroutine").contains("dev.threadleak.samples.BlockedConsumers.handleRequest BlockedConsumers.java:");

            // identical consumers: one trace with their count; per thread, a trace each. Both profiles of one sample: the
            // grouped one read before and after the per-thread one, the same bytes (a new sample changes its time)
            Path grouped = agentDir.resolve("goroutine-" + jdk + ".pb.gz"), perThread = agentDir.resolve("goroutine-threads-" + jdk + ".pb.gz");
            ChildJvm.await("both profiles from one sample", Duration.ofSeconds(30), () -> {
                byte[] before = bytes(page), threads = bytes(page + "?labels=thread"), after = bytes(page);
                if (!java.util.Arrays.equals(before, after)) return false;
                try {
                    Files.write(grouped, before);
                    Files.write(perThread, threads);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                return true;
            });
            String perThreadTraces = CliExportIT.go("tool", "pprof", "-traces", perThread.toString());
            assertThat(perThreadTraces).contains("thread:  consumer-1\n").contains("age:  ");
            String parked = "wait:  parked on LinkedBlockingQueue.take\n";
            long consumers = java.util.Arrays.stream(perThreadTraces.split("-----------\\+-", -1))
                    .filter(t -> t.contains("thread:  consumer-") && t.contains(parked)).count();
            assertThat(consumers).isGreaterThanOrEqualTo(3);
            String traces = CliExportIT.go("tool", "pprof", "-traces", grouped.toString());
            assertThat(traces.split("-----------\\+-", -1)).filteredOn(t -> t.contains("dev.threadleak.samples.BlockedConsumers.consume") && t.contains(parked))
                    .singleElement().asString().contains("name:  consumer-*").contains("site:  dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:")
                    .doesNotContain("thread:  ").containsPattern("\\n\\s+" + consumers + "\\s+jdk.internal.misc.Unsafe.park\\n");

            String text = get(page + "?debug=1").body();
            assertThat(text).startsWith("thread profile: total ")
                    .containsPattern("\n\\d+ @ \"consumer-\\*\" \\[parked on LinkedBlockingQueue.take(, up to \\d+ minutes?)?\\]\n#\tjdk.internal.misc.Unsafe.park\tNative Method\n")
                    .contains("#\tdev.threadleak.samples.BlockedConsumers.consume\tBlockedConsumers.java:")
                    .contains("#\tcreated by dev.threadleak.samples.BlockedConsumers.handleRequest\tBlockedConsumers.java:");
            String every = get(page + "?debug=2").body();
            assertThat(every).containsPattern("(?m)^thread \\d+ \"consumer-1\" \\[parked on LinkedBlockingQueue.take(, \\d+ minutes?)?\\]:\n")
                    .contains("dev.threadleak.samples.BlockedConsumers.consume(...)\n\tBlockedConsumers.java:")
                    .containsPattern("created by dev.threadleak.samples.BlockedConsumers.handleRequest in thread \\d+ \"main\"\n\tBlockedConsumers.java:\\d+\n")
                    .doesNotContain("threadleak-");
            HttpResponse<String> index = get(base + "/debug/pprof/");
            assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(index.body()).contains("<a href='goroutine?debug=1'>goroutine</a>", "<a href='goroutine?debug=2'>full thread stack dump</a>");

            // seconds=N, as go tool pprof -seconds asks: the threads gained over the next N seconds, the consumers among them
            String delta = CliExportIT.go("tool", "pprof", "-seconds", "2", "-top", "-lines", page);
            assertThat(delta).contains("threadleak: threads gained and lost in pid " + child.pid() + " over ", "Type: goroutine").containsPattern("Duration: \\d")
                    .containsPattern("\\n\\s+0\\s+0%\\s+\\S+%\\s+[1-9]\\d*\\s+\\S+%\\s+dev.threadleak.samples.BlockedConsumers.handleRequest BlockedConsumers.java:");
            // at most four wait at once: of six asking together, two are told at once to come back
            List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> asked = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                // HTTP/1.1 asked for: a client trying HTTP/2 holds the other requests to a host until the first is answered
                asked.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(page + "?seconds=2")).version(HttpClient.Version.HTTP_1_1).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            // waiting, they hold none of the two workers: another page is rendered before any of them is answered
            ChildJvm.await("the two refused", Duration.ofSeconds(10), () -> asked.stream().filter(java.util.concurrent.CompletableFuture::isDone).count() == 2);
            assertThat(get(base + "/debug/threads.json").statusCode()).as("a page not asked for before: rendered now, on a worker").isEqualTo(200);
            assertThat(asked.stream().filter(java.util.concurrent.CompletableFuture::isDone).count()).as("the four still waiting").isEqualTo(2);
            List<Integer> statuses = new ArrayList<>();
            for (var a : asked) statuses.add(a.get(60, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            assertThat(statuses).containsExactlyInAnyOrder(200, 200, 200, 200, 503, 503);

            String expected = " (/debug/pprof/goroutine takes debug=0, the pprof profile, debug=1, identical threads counted once, or debug=2, every thread; "
                    + "with debug=0, labels=thread, a sample per thread, or seconds=N, the threads gained and lost over the next N seconds, 1 to 300)";
            assertOneLine(get(page + "?debug=3"), 400, "threadleak: bad query 'debug=3'" + expected);
            assertOneLine(get(page + "?seconds=0"), 400, "threadleak: bad query 'seconds=0'" + expected);
            assertThat(get(page + "?seconds=301").statusCode()).isEqualTo(400);
            assertThat(get(page + "?seconds=2&debug=1").statusCode()).as("a delta is a profile").isEqualTo(400);
            assertThat(get(page + "?seconds=2&labels=thread").statusCode()).isEqualTo(400);
            assertThat(get(page + "?labels=all").statusCode()).isEqualTo(400);
            assertThat(get(page + "?debug=1&debug=2").statusCode()).as("a parameter given twice").isEqualTo(400);
            assertThat(get(page + "?debug=1&labels=thread").statusCode()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void badRequestsGetTheRight4xxAndOneLine(Jdk jdk) throws Exception {
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,http=127.0.0.1:" + port), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "60")) {
            String base = "http://127.0.0.1:" + port;
            ChildJvm.await("the endpoint", Duration.ofSeconds(30), () -> getOrNull(base + "/health") != null);
            HttpResponse<String> ok = get(base + "/health");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"status\" : \"ok\"").contains("\"findings\" : [ ]");

            assertOneLine(get(base + "/nope"), 404, "threadleak: no page '/nope' (pages: /, /metrics, /health, /debug/threads, /debug/threads.json, /debug/pprof/, /debug/pprof/goroutine, /debug/page.json)");
            assertOneLine(get(base + "/metrics/"), 404, "threadleak: no page '/metrics/' (pages: /, /metrics, /health, /debug/threads, /debug/threads.json, /debug/pprof/, /debug/pprof/goroutine, /debug/page.json)");
            HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x")));
            assertOneLine(post, 405, "threadleak: /metrics answers GET and HEAD, not POST");
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
            assertOneLine(get(base + "/debug/threads?debug=3"), 400,
                    "threadleak: bad query 'debug=3' (/debug/threads takes debug=1, grouped, or debug=2, every thread)");
            assertOneLine(get(base + "/metrics?name=x"), 400, "threadleak: /metrics takes no query, got 'name=x'");
            HttpResponse<String> head = send(HttpRequest.newBuilder(URI.create(base + "/metrics")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(get(base + "/metrics").headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");

            // what no client library sends: raw requests, each answered with its one line
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            assertRawOneLine(address, "GET //metrics HTTP/1.1\r\nHost: x\r\n\r\n", "404 Not Found",
                    "threadleak: no page '//metrics' (pages: /, /metrics, /health, /debug/threads, /debug/threads.json, /debug/pprof/, /debug/pprof/goroutine, /debug/page.json)");
            assertRawOneLine(address, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", "431 Request Header Fields Too Large",
                    "threadleak: request line and headers over 8192 bytes");
            assertRawOneLine(address, "GET /metrics\r\n\r\n", "400 Bad Request",
                    "threadleak: malformed request line 'GET /metrics' (expected: GET /metrics HTTP/1.1)");
            assertRawOneLine(address, "GET http://127.0.0.1/metrics HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request",
                    "threadleak: bad request target 'http://127.0.0.1/metrics' (a path, such as /metrics)");
            assertRawOneLine(address, "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", "400 Bad Request",
                    "threadleak: malformed header line 'Host x' (expected: Name: value)");
            assertRawOneLine(address, "GET /metrics HTTP/2.0\r\n\r\n", "505 HTTP Version Not Supported",
                    "threadleak: HTTP/2.0 is not served (HTTP/1.1 and HTTP/1.0 are)");
            assertRawOneLine(address, "GET /nope\u0007 HTTP/1.0\r\n\r\n", "400 Bad Request",
                    "threadleak: bad request target '/nope\\u0007' (a path, such as /metrics)");
            String headOnly = HttpAttack.exchange(address, "HEAD /metrics HTTP/1.0\n\n"); // bare LFs, as a hand-typed request
            assertThat(headOnly).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nContent-Length: ").contains("\r\nConnection: close\r\n").endsWith("\r\n\r\n");
            assertThat(child.stderr()).as("bad requests are the client's problem: nothing on the application's stderr").isEmpty();
        }
    }

    /**
     * {@code /metrics} in OpenMetrics for Prometheus's own Accept header (counters' families without {@code _total}, their
     * samples with it, units, {@code # EOF} last), the same series as the text format, which a plain Accept, or none, gets.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void metricsAnswerOpenMetricsWhenAskedAndTheTextFormatOtherwise(Jdk jdk) throws Exception {
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,sample=1s,http=" + port), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "60")) {
            String url = "http://127.0.0.1:" + port + "/metrics";
            ChildJvm.await("the endpoint's first sample", Duration.ofSeconds(30), () -> {
                HttpResponse<String> r = getOrNull(url);
                return r != null && r.statusCode() == 200;
            });
            HttpResponse<String> open = send(HttpRequest.newBuilder(URI.create(url)).header("Accept", PROMETHEUS_ACCEPT));
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(open.headers().firstValue("Content-Type")).contains("application/openmetrics-text; version=1.0.0; charset=utf-8");
            List<String> lines = open.body().lines().toList();
            assertThat(lines).last().isEqualTo("# EOF");
            assertThat(lines).contains("# TYPE threadleak_threads_started counter", "# TYPE jvm_threads_started counter",
                    "# TYPE threadleak_sample_seconds counter", "# UNIT threadleak_sample_seconds seconds",
                    "# UNIT threadleak_stack_reserved_bytes bytes", "# TYPE threadleak_live_threads gauge");
            assertThat(lines).noneMatch(l -> l.startsWith("# TYPE ") && l.contains("_total "));
            assertThat(value(open.body(), "threadleak_threads_started_total")).isGreaterThan(0);
            assertThat(value(open.body(), "threadleak_samples_total")).isGreaterThanOrEqualTo(1);
            assertThat(value(open.body(), "threadleak_live_threads")).isGreaterThanOrEqualTo(6); // main, 4 workers, the ticker

            for (String accept : new String[] {null, "text/plain;version=0.0.4", "*/*", "application/openmetrics-text;q=0.2,text/plain;q=0.5"}) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
                if (accept != null) request.header("Accept", accept);
                HttpResponse<String> text = send(request);
                assertThat(text.headers().firstValue("Content-Type")).as("Accept: %s", accept).contains("text/plain; version=0.0.4; charset=utf-8");
                assertThat(text.body()).as("Accept: %s", accept).contains("# TYPE threadleak_threads_started_total counter\n").doesNotContain("# EOF", "# UNIT");
                assertThat(names(text.body())).as("the same metrics in both formats").isEqualTo(names(open.body()));
            }
        }
    }

    /**
     * The health.* options: a threshold crossed makes /health 503 with the reason, in the option's terms, and nothing else
     * wrong (no finding); thresholds not crossed leave it 200 with no reasons.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void healthAnswers503WhenAThresholdOfItsOwnIsCrossed(Jdk jdk) throws Exception {
        int crossedPort = freePort(), okPort = freePort();
        try (ChildJvm crossed = ChildJvm.start(jdk, List.of(agent("interval=0,http=" + crossedPort + ",health.live=3"), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "60");
             ChildJvm ok = ChildJvm.start(jdk, List.of(agent("interval=0,http=" + okPort + ",health.live=1000,health.delta=1000,health.longBlocked=0"),
                     "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.HealthyService", "60")) {
            AtomicReference<HttpResponse<String>> health = new AtomicReference<>();
            ChildJvm.await("/health to answer 503 for health.live=3", Duration.ofSeconds(30), () -> {
                health.set(getOrNull("http://127.0.0.1:" + crossedPort + "/health"));
                return health.get() != null && health.get().statusCode() == 503;
            });
            JsonNode json = new ObjectMapper().readTree(health.get().body());
            assertThat(json.path("status").asText()).isEqualTo("unhealthy");
            assertThat(json.path("findings")).as("no finding: the threshold alone fails health").isEmpty();
            long live = json.path("live").asLong();
            assertThat(live).isGreaterThan(3);
            assertThat(json.path("reasons")).extracting(JsonNode::asText).containsExactly("live " + live + " > health.live 3");

            ChildJvm.await("/health of the other JVM", Duration.ofSeconds(30), () -> getOrNull("http://127.0.0.1:" + okPort + "/health") != null);
            HttpResponse<String> fine = get("http://127.0.0.1:" + okPort + "/health");
            assertThat(fine.statusCode()).as(fine.body()).isEqualTo(200);
            JsonNode fineJson = new ObjectMapper().readTree(fine.body());
            assertThat(fineJson.path("status").asText()).isEqualTo("ok");
            assertThat(fineJson.path("reasons")).isEmpty();
            assertThat(fineJson.path("longBlocked").asLong()).isZero();
        }
    }

    /**
     * The endpoint's threads are the agent's own; threads the application starts at the same moment stay the
     * application's. Before: every thread new while the server started was taken for the agent's, and left out of counts
     * and findings (about 40 of 10,000 parked threads started at launch).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void threadsTheApplicationStartsWhileTheEndpointStartsStayTheApplications(Jdk jdk) throws Exception {
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,sample=1s,http=" + port), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.ParkedSteadily", "3", "60")) {
            ChildJvm.await("the app to have started its threads", Duration.ofSeconds(60), () -> child.stdout().startsWith("parked "));
            int parked = Integer.parseInt(child.stdout().trim().substring("parked ".length()));
            String base = "http://127.0.0.1:" + port;
            AtomicReference<Snapshot> dump = new AtomicReference<>();
            ChildJvm.await("a sample with every parked thread", Duration.ofSeconds(30), () -> {
                HttpResponse<String> r = getOrNull(base + "/debug/threads.json");
                if (r == null || r.statusCode() != 200) return false;
                try {
                    dump.set(SnapshotCodec.read(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)), "http"));
                } catch (Exception e) {
                    throw new AssertionError("/debug/threads.json does not read as a dump", e);
                }
                return dump.get().threads().stream().filter(t -> t.name().startsWith("parked-")).count() == parked;
            });
            assertThat(dump.get().threads()).filteredOn(t -> t.name().startsWith("parked-") && t.agentThread()).as("parked threads taken for the agent's").isEmpty();
            assertThat(dump.get().threads()).filteredOn(t -> t.name().equals("threadleak-http")).singleElement().matches(ThreadEntry::agentThread);
            assertThat(value(get(base + "/metrics").body(), "threadleak_live_threads")).isGreaterThanOrEqualTo(parked + 1); // and main
        }
    }

    /**
     * Slow clients (a request line sent, the rest never) hold no worker: the request after them is served at once, and
     * each is cut off 2 s after it connected, its connection closed unanswered. The application never notices. (With the
     * JDK's server they held both workers and the queue until cut off; under many, see HttpAttackIT.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void tokenIsRequiredAndSlowClientsAreCutOff(Jdk jdk, @TempDir Path dir) throws Exception {
        int port = freePort();
        Path token = Files.writeString(dir.resolve("token"), "s3cret-" + port + "\n");
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,http=0.0.0.0:" + port + ",token=" + token), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "90")) {
            String base = "http://127.0.0.1:" + port;
            ChildJvm.await("the endpoint", Duration.ofSeconds(30), () -> getOrNull(base + "/health") != null);
            ChildJvm.await("the warning", Duration.ofSeconds(10), () -> !child.stderr().isEmpty()); // said just after the server starts
            assertThat(child.stderr()).isEqualTo("[threadleak] HTTP endpoint on 0.0.0.0:" + port + " is reachable beyond this host: whoever reaches it"
                    + " reads thread names and stacks (with the token)\n");
            HttpResponse<String> none = get(base + "/metrics");
            assertOneLine(none, 401, "threadleak: this endpoint needs 'Authorization: Bearer <token>' (the token file given by the token option)");
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"threadleak\"");
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer wrong")).statusCode()).isEqualTo(401);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/nope")).header("Authorization", "Bearer wrong")).statusCode())
                    .as("no page is told apart before the token").isEqualTo(401);
            HttpRequest.Builder authorized = HttpRequest.newBuilder(URI.create(base + "/health")).header("Authorization", "Bearer s3cret-" + port);
            assertThat(send(authorized).statusCode()).isEqualTo(200);

            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) { // as many as held the JDK server's two workers and its queue
                    Socket s = new Socket("127.0.0.1", port);
                    s.setSoTimeout(30_000);
                    OutputStream out = s.getOutputStream();
                    out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // and never the blank line
                    out.flush();
                    slow.add(s);
                }
                assertThat(send(authorized).statusCode()).as("served while the slow clients are connected").isEqualTo(200);
                for (Socket s : slow) assertThat(s.getInputStream().read()).as("the server closed the slow connection, unanswered").isEqualTo(-1);
            } finally {
                for (Socket s : slow) s.close();
            }
            assertThat(child.isAlive()).isTrue();
            assertThat(child.stdout()).doesNotContain("Exception");
        }
    }

    /**
     * A page larger than the kernel's buffers (on loopback a socket takes about 1.3 MB before its peer reads) goes to a
     * client that reads nothing at first: the selector thread writes what the socket takes and waits for the client's
     * window, holding no worker (a scrape meanwhile is answered), and the client then reads the page whole.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPageLargerThanTheSocketsBuffersReachesAClientThatReadsLateWhole(Jdk jdk) throws Exception {
        int port = freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,sample=1s,http=" + port), "-cp", ChildJvm.TEST_CP),
                "dev.threadleak.agent.it.apps.ManyParked", "4000", "60")) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            ChildJvm.await("the 4,000 parked threads", Duration.ofSeconds(60), () -> child.stdout().contains("parked 4000"));
            // a sample taken while they were starting counts some that its thread list missed: wait for one after
            long allParkedMs = System.currentTimeMillis();
            ChildJvm.await("a sample of the 4,000 parked threads", Duration.ofSeconds(60), () -> {
                HttpResponse<String> r = getOrNull("http://127.0.0.1:" + port + "/metrics");
                return r != null && r.statusCode() == 200 && value(r.body(), "threadleak_sample_timestamp_seconds") * 1000 > allParkedMs;
            });
            try (Socket late = new Socket()) {
                late.setReceiveBufferSize(4096); // before connect: the window it offers
                late.connect(address, 10_000);
                late.setSoTimeout(10_000);
                late.getOutputStream().write("GET /debug/threads?debug=2 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = late.getInputStream();
                ChildJvm.await("the response to start", Duration.ofSeconds(30), () -> {
                    try {
                        return in.available() > 0;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertThat(HttpAttack.scrape(address, null).status()).as("a scrape while the page waits for its reader").isEqualTo("200");
                byte[] all = in.readAllBytes();
                String text = new String(all, StandardCharsets.UTF_8);
                int headEnd = text.indexOf("\r\n\r\n") + 4;
                long length = Long.parseLong(text.substring(0, headEnd).replaceAll("(?s).*\r\nContent-Length: (\\d+)\r\n.*", "$1"));
                assertThat(length).as("larger than the socket takes unread").isGreaterThan(2_000_000);
                assertThat(all.length - headEnd).as("the whole page").isEqualTo(length);
                assertThat(text.split("\"parked-", -1)).as("every parked thread").hasSizeGreaterThan(4000);
            }
            assertThat(child.stderr()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPortInUseIsOneLineAndTheApplicationRuns(Jdk jdk) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             ChildJvm child = ChildJvm.start(jdk, List.of(agent("interval=0,http=" + taken.getLocalPort()), "-cp", ChildJvm.SAMPLES_CP),
                     "dev.threadleak.samples.HealthyService", "60")) {
            ChildJvm.await("the warning", Duration.ofSeconds(30), () -> !child.stderr().isEmpty());
            assertThat(ChildJvm.lines(child.stderr())).singleElement().asString()
                    .startsWith("[threadleak] cannot start the HTTP endpoint on 127.0.0.1:" + taken.getLocalPort() + ": java.net.BindException")
                    .endsWith("; /metrics, /health and /debug/threads are off");
            assertThat(child.isAlive()).isTrue();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static HttpResponse<String> get(String url) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url)));
    }

    /** The body's bytes of a GET that answered 200. */
    private static byte[] bytes(String url) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).as(url).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new AssertionError(url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(url, e);
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The response, or null while the child is still starting (connection refused). */
    static HttpResponse<String> getOrNull(String url) {
        try {
            return get(url);
        } catch (IOException notYet) {
            return null;
        }
    }

    /** A raw request's response: the status line given, and the body the one line given. */
    private static void assertRawOneLine(InetSocketAddress address, String request, String status, String line) throws IOException {
        String response = HttpAttack.exchange(address, request);
        assertThat(response).as(request).startsWith("HTTP/1.1 " + status + "\r\n").contains("\r\nContent-Type: text/plain; charset=utf-8\r\n")
                .contains("\r\nConnection: close\r\n");
        assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).as(request).isEqualTo(line + "\n");
    }

    private static void assertOneLine(HttpResponse<String> r, int status, String line) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(line + "\n");
    }

    /** Every sample of an exposition by its name and labels: {@code jvm_threads_state{state="WAITING"}} to its value. */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : exposition.lines().toList()) {
            if (line.startsWith("#") || line.isBlank()) continue;
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    /** The metric names of an exposition's samples, without labels. */
    private static Set<String> names(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String series : samples(exposition).keySet()) names.add(series.replaceAll("\\{.*", ""));
        return names;
    }

    static double value(String exposition, String series) {
        Double v = samples(exposition).get(series);
        assertThat(v).as("series %s in:%n%s", series, exposition).isNotNull();
        return v;
    }
}
