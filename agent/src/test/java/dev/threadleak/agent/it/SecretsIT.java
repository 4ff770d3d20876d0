package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets on the command line never leave the JVM by default: not in dump files, not over HTTP (no token is needed
 * to read it), not in the CLI's report of those dumps; {@code secrets=show} shows them.
 */
class SecretsIT {
    private static final String RUN_UNTIL = "dev.threadleak.agent.it.apps.RunUntil";
    private static final Duration DEADLINE = Duration.ofSeconds(40);
    /** Arguments RunUntil ignores, as a service's command line holds them. */
    private static final String[] SECRET_ARGS = {"--db-password=hunter2", "-Dapi.token=abc123", "--user=bob", "-Dx.secret=s3cr3t",
            "--db-url=jdbc:postgresql://app:pa55w0rd@db/orders"};
    private static final List<String> SECRETS = List.of("hunter2", "abc123", "s3cr", "pa55w0rd");
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void secretsOnTheCommandLineAreMaskedInDumpsPagesAndReports(Jdk jdk, @TempDir Path tmp) throws Exception {
        Map<String, String> seen = everythingShown(jdk, tmp, "");
        seen.forEach((where, text) -> {
            for (String secret : SECRETS) assertThat(text).as(where).doesNotContain(secret);
        });
        seen.forEach((where, text) -> assertThat(text).as(where).contains("--db-password=******").contains("-Dapi.token=******")
                .contains("-Dx.secret=******").contains("--user=bob").contains("jdbc:postgresql://app:******@db/orders"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void secretsShowShowsThemAsGiven(Jdk jdk, @TempDir Path tmp) throws Exception {
        Map<String, String> seen = everythingShown(jdk, tmp, ",secrets=show");
        seen.forEach((where, text) -> assertThat(text).as(where).contains("--db-password=hunter2").contains("-Dapi.token=abc123")
                .contains("-Dx.secret=s3cr3t").contains("--user=bob").contains("jdbc:postgresql://app:pa55w0rd@db/orders"));
    }

    /**
     * Runs RunUntil with {@link #SECRET_ARGS} under the agent (endpoint on, no token) and returns, by where it came
     * from, every text that shows the command: the HTTP pages, the exit dump file and the CLI's report of it.
     */
    private static Map<String, String> everythingShown(Jdk jdk, Path tmp, String moreOptions) throws Exception {
        Path dir = tmp.resolve("dumps"), stop = tmp.resolve("stop");
        int port = HttpIT.freePort();
        String base = "http://127.0.0.1:" + port;
        Map<String, String> seen = new LinkedHashMap<>();
        String[] mainAndArgs = new String[3 + SECRET_ARGS.length];
        mainAndArgs[0] = RUN_UNTIL;
        mainAndArgs[1] = stop.toString();
        mainAndArgs[2] = "60";
        System.arraycopy(SECRET_ARGS, 0, mainAndArgs, 3, SECRET_ARGS.length);
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,http=127.0.0.1:" + port + moreOptions),
                "-cp", ChildJvm.TEST_CP), mainAndArgs)) {
            ChildJvm.await("the HTTP endpoint", DEADLINE, () -> {
                HttpResponse<String> r = HttpIT.getOrNull(base + "/debug/threads");
                return r != null && r.statusCode() == 200;
            });
            for (String page : List.of("/debug/pprof/goroutine?debug=1", "/debug/pprof/goroutine?debug=2")) {
                String goText = HttpIT.get(base + page).body(); // Go's layouts: no command, and so no secret
                assertThat(goText).as(page).contains("thread").doesNotContain("--db-password").doesNotContain("jdbc:");
            }
            for (String page : List.of("/debug/threads", "/debug/threads?debug=2", "/debug/threads.json")) {
                HttpResponse<String> r = HttpIT.get(base + page);
                assertThat(r.statusCode()).as(page).isEqualTo(200);
                seen.put(page, r.body());
            }
            seen.put("/debug/pprof/goroutine", gunzip(CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/debug/pprof/goroutine"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray()).body()));
            Files.createFile(stop);
            assertThat(child.waitFor()).isZero();
            assertThat(child.stderr()).isEmpty();
        }
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).as("the exit dump").hasSize(1);
        seen.put("dump file", Files.readString(dumps.get(0)));
        ChildJvm.Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.exitCode()).as(report.stderr()).isIn(0, 1);
        seen.put("report", report.stdout());
        return seen;
    }

    /** The profile's bytes as text (ISO-8859-1, byte for byte): its string table holds the command as UTF-8. */
    private static String gunzip(byte[] gzipped) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
