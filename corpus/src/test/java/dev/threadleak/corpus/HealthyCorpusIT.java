package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Healthy programs whose pools fill under rising load and never leak (README "Findings": a healthy service gets
 * none) run under the agent on JDK 17 and 25, at two sample intervals: the fast ramp spans a handful of samples,
 * the slow one (same program timing, samples 5 times as often) many, as a day's traffic would at a slower sample.
 * No dump of the run may hold a finding, {@code check} must find none, and {@code /health} must never answer
 * anything but 200 while the program runs. A failure lists every finding of every dump and every other answer of
 * {@code /health}; each run's findings are also written to {@code target/healthy-corpus/}.
 */
class HealthyCorpusIT {
    /** The healthy programs (corpus/src/main/java/dev/threadleak/corpus). */
    static final List<String> PROGRAMS = List.of("PoolRamp", "NettyLoopsFill", "SharedHttpClient", "HikariFill", "ForkJoinFill", "JettyServer",
            "JmxPolled", "Publishers", "GrpcServer", "TomcatServer", "UndertowServer");
    /** The programs' step; each ramps for 6 to 12 steps and holds 5 (Ramp), in 4 to 8 s after its 1.5 s start. */
    private static final long STEP_MILLIS = 400;
    /** A dump every 500 ms (kept: all of them), so findings anywhere in the run are read, not only the exit dump's. */
    private static final String DUMPS = "interval=500ms,keep=1000";
    private static final long RUN_DEADLINE_SECONDS = 60, HEALTH_POLL_MILLIS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The sample interval: about one step (the ramp spans a handful of samples), or a fifth of it (many). */
    enum Sampling {
        FAST("500ms"), SLOW("100ms");

        final String sample;

        Sampling(String sample) {
            this.sample = sample;
        }
    }

    /** Every program on every JDK at both samplings; {@code -Dcorpus.programs=PoolRamp,...} runs only those (see {@link Programs}). */
    static Stream<Arguments> cases() {
        List<String> programs = Programs.selected(PROGRAMS);
        return Child.jdks().stream().flatMap(java -> programs.stream().flatMap(p -> Stream.of(Sampling.values()).map(s -> Arguments.of(p, jdk(java), s, java))));
    }

    /** False when {@code -Dcorpus.programs} names only CorpusIT's programs (a parameterized test may not have no case). */
    static boolean anySelected() {
        return !Programs.selected(PROGRAMS).isEmpty();
    }

    @ParameterizedTest(name = "{0} on {1}, {2} sampling")
    @MethodSource("cases")
    @EnabledIf("anySelected")
    void healthyProgramHasNoFindingAtAnyTime(String program, String jdk, Sampling sampling, Path java, @TempDir Path tmp) throws Exception {
        Path dumps = Files.createDirectory(tmp.resolve("dumps"));
        int port = freePort();
        List<String> command = List.of(java.toString(),
                "-javaagent:" + Child.AGENT_JAR + "=dir=" + dumps + "," + DUMPS + ",sample=" + sampling.sample + ",http=127.0.0.1:" + port,
                "-cp", Child.required("threadleak.corpusClasses") + File.pathSeparator + Child.required("threadleak.corpusLibraries"),
                "dev.threadleak.corpus." + program, Long.toString(STEP_MILLIS));
        Path out = tmp.resolve("stdout.txt"), err = tmp.resolve("stderr.txt");
        long launched = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Health health = new Health(new URL("http://127.0.0.1:" + port + "/health"), launched);
        long deadline = launched + TimeUnit.SECONDS.toNanos(RUN_DEADLINE_SECONDS);
        while (!p.waitFor(HEALTH_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                fail("did not exit within " + RUN_DEADLINE_SECONDS + " s: " + command + "\n" + Files.readString(err));
            }
            health.poll();
        }
        long wallMillis = (System.nanoTime() - launched) / 1_000_000;
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code; stderr:\n%s", stderr).isZero();
        assertThat(Files.readString(out, StandardCharsets.UTF_8)).as("stdout; stderr:\n%s", stderr).isEqualTo("calls done\n");

        List<String> findings = findingsOfEveryDump(dumps);
        Child check = Child.cli("check", dumps.toString());
        String report = program + " on " + jdk + ", " + sampling + " sampling (sample=" + sampling.sample + ", step " + STEP_MILLIS + " ms, run "
                + wallMillis + " ms; /health answered 200 " + health.ok + " times)\n"
                + "findings in the dumps (" + findings.size() + "):\n" + String.join("", findings)
                + "/health answers other than 200 (" + health.notOk.stream().mapToInt(a -> a.times).sum() + "):\n"
                + health.notOk.stream().map(Answer::toString).collect(Collectors.joining())
                + "check (exit " + check.exitCode() + "):\n" + check.stdout() + check.stderr();
        writeReport(program + "-" + jdk + "-" + sampling, report);

        assertThat(health.ok).as("/health answered 200 at least once (else the endpoint was never up and proves nothing)\n%s", report).isPositive();
        assertThat(findings.isEmpty() && health.notOk.isEmpty() && check.exitCode() == 0 && check.stdout().contains("no findings"))
                .as("a healthy program: no finding in any dump, /health always 200, check exit 0 with \"no findings\"\n%s", report).isTrue();
    }

    /** Every finding of every dump in {@code dir}, oldest dump first, one block each: dump, time, kind, severity, title, blame, evidence. */
    private static List<String> findingsOfEveryDump(Path dir) throws IOException {
        List<JsonNode> dumps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().matches("threadleak-.*\\.json")).sorted()::iterator) {
                dumps.add(JSON.readTree(f.toFile()));
                names.add(f.getFileName().toString());
            }
        }
        assertThat(dumps).as("dumps in %s", dir).isNotEmpty();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < dumps.size(); i++) order.add(i);
        order.sort((a, b) -> Long.compare(dumps.get(a).path("takenAtMs").asLong(), dumps.get(b).path("takenAtMs").asLong()));
        List<String> out = new ArrayList<>();
        for (int i : order) {
            JsonNode d = dumps.get(i);
            String when = String.format("%.1fs after JVM start", (d.path("takenAtMs").asLong() - d.path("jvmStartedAtMs").asLong()) / 1000.0);
            for (JsonNode f : d.path("findings")) {
                StringBuilder b = new StringBuilder("  ").append(names.get(i)).append(" (").append(when).append(", live ")
                        .append(d.path("summary").path("live").asInt()).append("): [").append(f.path("severity").asText()).append("] ")
                        .append(f.path("kind").asText()).append(": ").append(f.path("title").asText()).append('\n');
                if (f.hasNonNull("blame")) b.append("      @ ").append(f.path("blame").asText()).append('\n');
                if (f.hasNonNull("waitFrame")) b.append("      wait frame ").append(f.path("waitFrame").asText()).append('\n');
                for (JsonNode e : f.path("evidence")) b.append("      - ").append(e.asText()).append('\n');
                out.add(b.toString());
            }
        }
        return out;
    }

    /** {@code GET /health} polled while the child runs: how often it answered 200, and every other answer with its body. */
    private static final class Health {
        private final URL url;
        private final long launched;
        int ok;
        /** Answers other than 200, in order; the same answer again (status and body) is counted, not repeated. */
        final List<Answer> notOk = new ArrayList<>();

        Health(URL url, long launched) {
            this.url = url;
            this.launched = launched;
        }

        void poll() throws IOException {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(3000);
            try {
                int status = c.getResponseCode();
                InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
                String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                double at = (System.nanoTime() - launched) / 1e9;
                if (status == 200) {
                    ok++;
                } else if (!notOk.isEmpty() && notOk.get(notOk.size() - 1).same(status, body)) {
                    notOk.get(notOk.size() - 1).again(at);
                } else {
                    notOk.add(new Answer(status, body, at));
                }
            } catch (IOException e) {
                // no answer: not up yet (the agent starts its endpoint after its quiet first second), or going away at exit
            } finally {
                c.disconnect();
            }
        }
    }

    /** One answer of {@code /health} other than 200, repeated {@code times} from {@code first} to {@code last} (seconds after launch). */
    private static final class Answer {
        final int status;
        final String body;
        final double first;
        double last;
        int times = 1;

        Answer(int status, String body, double at) {
            this.status = status;
            this.body = body;
            this.first = this.last = at;
        }

        boolean same(int status, String body) {
            return this.status == status && this.body.equals(body);
        }

        void again(double at) {
            last = at;
            times++;
        }

        @Override
        public String toString() {
            return String.format("  %.1fs%s after launch: HTTP %d%s, body:%n    %s%n", first, times == 1 ? "" : String.format("-%.1fs", last), status,
                    times == 1 ? "" : " (" + times + " answers)", body.isBlank() ? "(empty)" : body.strip().replace("\n", "\n    "));
        }
    }

    /** "17" or "25": the JDK's feature version, from its release file. */
    private static String jdk(Path java) {
        try {
            for (String line : Files.readAllLines(java.getParent().getParent().resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) return "JDK " + line.replaceAll("JAVA_VERSION=\"?(\\d+).*", "$1");
            }
        } catch (IOException e) {
            // no release file: the path says which
        }
        return java.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void writeReport(String name, String report) throws IOException {
        Path dir = Path.of(Child.required("threadleak.healthyReports"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name.replace(' ', '-') + ".txt"), report);
    }
}
