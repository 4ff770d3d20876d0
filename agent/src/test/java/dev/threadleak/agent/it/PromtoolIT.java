package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prometheus's own checker, {@code promtool} (Debian package {@code prometheus}), on what threadleak serves and
 * ships: a live {@code /metrics} page, the alert rules in {@code deploy/prometheus} with their unit tests, and the
 * scrape config; the promtool checks are skipped (an assumption) only where promtool is not installed. And the
 * Grafana dashboard's shape, and that the rules and the dashboard use only metrics the agent serves.
 */
class PromtoolIT {
    private static final Path DEPLOY = Path.of(System.getProperty("threadleak.deployDir"), "prometheus");
    /** A metric name in a rule or a dashboard query. */
    private static final Pattern METRIC = Pattern.compile("\\b(threadleak|jvm_threads)_[a-z_]+\\b");

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void metricsOfALeakingJvmPassPromtoolAndServeEveryMetricTheDeployFilesUse(Jdk jdk, @TempDir Path dir) throws Exception {
        int port = HttpIT.freePort();
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,sample=1s,window=3s,blocked=1s,growth=5,http=" + port),
                "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.BlockedConsumers", "60")) {
            AtomicReference<HttpResponse<String>> metrics = new AtomicReference<>();
            // every family has series by then: sites, findings, long-blocked
            ChildJvm.await("a SITE_GROWTH finding in /metrics", Duration.ofSeconds(40), () -> {
                metrics.set(HttpIT.getOrNull("http://127.0.0.1:" + port + "/metrics"));
                return metrics.get() != null && metrics.get().body().contains("threadleak_findings{kind=\"SITE_GROWTH\",severity=\"HIGH\"} 1");
            });
            String body = metrics.get().body();
            assertThat(body).contains("threadleak_site_live_threads{site=\"" + HttpIT.LEAK_SITE);
            for (String file : List.of("prometheus/threadleak-alerts.yml", "grafana/threadleak-dashboard.json")) {
                Matcher used = METRIC.matcher(Files.readString(DEPLOY.resolve("..").resolve(file)));
                while (used.find()) assertThat(body).as("%s uses %s", file, used.group()).contains("# TYPE " + used.group() + " ");
            }
            Path promtool = promtool();
            Result check = run(body, promtool.toString(), "check", "metrics");
            assertThat(check.output()).as("promtool check metrics on:%n%s", body).isEmpty();
            assertThat(check.exitCode()).isZero();
        }
    }

    /** The dashboard has the shape Grafana imports: a uid, a schema version, panels with ids, places and queries. */
    @Test
    void theGrafanaDashboardHasTheShapeGrafanaImports() throws Exception {
        JsonNode d = new ObjectMapper().readTree(DEPLOY.resolve("../grafana/threadleak-dashboard.json").toFile());
        assertThat(d.path("uid").asText()).isEqualTo("threadleak");
        assertThat(d.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        assertThat(d.path("templating").path("list").findValuesAsText("name")).contains("datasource", "instance");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : d.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique").isTrue();
            assertThat(panel.path("type").asText()).isEqualTo("timeseries");
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
            assertThat(panel.path("targets")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) assertThat(target.path("expr").asText()).contains("instance=~\"$instance\"");
        }
        assertThat(ids).hasSize(6);
    }

    @Test
    void alertRulesAndScrapeConfigPassPromtoolAndTheirUnitTests() throws Exception {
        Path promtool = promtool();
        Result rules = run("", promtool.toString(), "check", "rules", DEPLOY.resolve("threadleak-alerts.yml").toString());
        assertThat(rules.exitCode()).as(rules.output()).isZero();
        assertThat(rules.output()).contains("SUCCESS: 7 rules found");
        Result tests = run("", promtool.toString(), "test", "rules", DEPLOY.resolve("threadleak-alerts.test.yml").toString());
        assertThat(tests.exitCode()).as(tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
        Result config = run("", promtool.toString(), "check", "config", DEPLOY.resolve("scrape-config.yml").toString());
        assertThat(config.exitCode()).as(config.output()).isZero();
    }

    /** promtool from the PATH; the test is skipped where it is not installed. */
    private static Path promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) return p;
        }
        assumeTrue(false, "promtool not installed (Debian: apt-get install prometheus)");
        return null;
    }

    private record Result(int exitCode, String output) {}

    /** Runs a command with {@code stdin}, its stdout and stderr merged. */
    private static Result run(String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(Arrays.asList(command))).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool did not finish: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), out);
    }
}
