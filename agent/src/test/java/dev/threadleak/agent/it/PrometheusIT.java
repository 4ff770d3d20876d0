package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end: a real Prometheus server (Debian package {@code prometheus}; skipped where it is not installed), on
 * loopback with a temporary data directory, scrapes a leaking sample and a healthy one under the agent with the
 * shipped alert rules, their minutes made seconds so that a test can wait for them. The per-site growth alert
 * fires for the leak; no alert is pending or firing for the healthy service. Both are scraped in OpenMetrics, which
 * Prometheus asks for first.
 */
class PrometheusIT {
    private static final Path RULES = Path.of(System.getProperty("threadleak.deployDir"), "prometheus", "threadleak-alerts.yml");

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void thePerSiteGrowthAlertFiresForTheLeakAndNothingForTheHealthyService(Jdk jdk, @TempDir Path dir) throws Exception {
        Path prometheus = onPath("prometheus");
        int leakyPort = HttpIT.freePort(), healthyPort = HttpIT.freePort(), prometheusPort = HttpIT.freePort();
        // the shipped rules with every minute made a second: [10m] -> [10s], for: 5m -> for: 5s
        Files.writeString(dir.resolve("rules.yml"), Files.readString(RULES).replaceAll("(\\d+)m\\b", "$1s"));
        Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s",
                "rule_files: [rules.yml]",
                "scrape_configs:", "  - job_name: threadleak", "    static_configs:",
                "      - targets: ['127.0.0.1:" + leakyPort + "', '127.0.0.1:" + healthyPort + "']", ""));
        List<String> cmd = new ArrayList<>(List.of(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort));
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try (ChildJvm leaky = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir.resolve("leaky") + ",interval=0,sample=1s,http=" + leakyPort), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.BlockedConsumers", "90");
             ChildJvm healthy = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir.resolve("healthy") + ",interval=0,http=" + healthyPort), "-cp", ChildJvm.SAMPLES_CP),
                     "dev.threadleak.samples.HealthyService", "90")) {
            String leakyInstance = "127.0.0.1:" + leakyPort, healthyInstance = "127.0.0.1:" + healthyPort;
            AtomicReference<JsonNode> alerts = new AtomicReference<>();
            java.util.function.BooleanSupplier firingForTheLeak = () -> {
                HttpResponse<String> r = HttpIT.getOrNull("http://127.0.0.1:" + prometheusPort + "/api/v1/alerts");
                if (r == null || r.statusCode() != 200) return false;
                try {
                    alerts.set(new ObjectMapper().readTree(r.body()).path("data").path("alerts"));
                } catch (Exception e) {
                    return false;
                }
                for (JsonNode a : alerts.get()) {
                    if (a.path("labels").path("alertname").asText().equals("ThreadLeakSiteGrowth") && a.path("state").asText().equals("firing")
                            && a.path("labels").path("instance").asText().equals(leakyInstance)) return true;
                }
                return false;
            };
            try {
                ChildJvm.await("ThreadLeakSiteGrowth firing for the leak", Duration.ofSeconds(90), firingForTheLeak);
            } catch (AssertionError notFiring) {
                // what a failure in CI needs to be understood, since the temporary directory goes with the test
                List<String> log = Files.readAllLines(dir.resolve("prometheus.log"));
                throw new AssertionError(notFiring.getMessage() + "; alerts: " + alerts.get() + "; the leaky JVM's stderr: " + leaky.stderr()
                        + "; its stdout's end: " + tail(leaky.stdout()) + "; Prometheus log's end:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())), notFiring);
            }
            List<String> firing = new ArrayList<>(), forHealthy = new ArrayList<>();
            for (JsonNode a : alerts.get()) {
                String line = a.path("labels").path("alertname").asText() + " " + a.path("state").asText() + " " + a.path("labels").path("site").asText();
                if (a.path("labels").path("instance").asText().equals(healthyInstance)) forHealthy.add(line);
                else firing.add(line);
            }
            assertThat(firing).contains("ThreadLeakSiteGrowth firing " + HttpIT.LEAK_SITE + ChildJvm.lineOf("BlockedConsumers.java", "// LEAK:"));
            assertThat(forHealthy).as("alerts for the healthy service").isEmpty();

            // Prometheus (2.42 sends Accept: application/openmetrics-text;version=1.0.0,...) scraped both in OpenMetrics: only
            // that format has # UNIT and names a counter's family without _total, and Prometheus keeps both in its metadata
            String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
            List<String> up = new ArrayList<>(), units = new ArrayList<>();
            for (JsonNode r : json(api + "query?query=up").path("data").path("result")) up.add(r.path("metric").path("instance").asText() + " " + r.path("value").get(1).asText());
            assertThat(up).containsExactlyInAnyOrder(leakyInstance + " 1", healthyInstance + " 1");
            for (JsonNode m : json(api + "targets/metadata?metric=threadleak_sample_seconds").path("data")) {
                units.add(m.path("target").path("instance").asText() + " " + m.path("type").asText() + " " + m.path("unit").asText());
            }
            assertThat(units).containsExactlyInAnyOrder(leakyInstance + " counter seconds", healthyInstance + " counter seconds");
            assertThat(json(api + "query?query=threadleak_threads_started_total").path("data").path("result")).hasSize(2);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static JsonNode json(String url) throws Exception {
        HttpResponse<String> r = HttpIT.get(url);
        assertThat(r.statusCode()).as("%s: %s", url, r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    /** An executable on the PATH; the test is skipped where it is not installed. */
    static Path onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) return p;
        }
        assumeTrue(false, name + " not installed (Debian: apt-get install prometheus)");
        return null;
    }

    private static String tail(String text) {
        return text.length() <= 2_000 ? text : text.substring(text.length() - 2_000);
    }
}
