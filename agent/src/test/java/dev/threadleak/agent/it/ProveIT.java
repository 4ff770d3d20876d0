package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code threadleak prove <pid>} on JVMs without the agent: a pool per request (each pool's executor unreachable once the
 * request returns, its idle worker parked on its queue) is proven leaked, thread by thread; a scheduler per session that
 * nothing can shut down is proven forgotten; healthy programs have nothing proven. Its cases mostly wait: they run beside
 * other classes.
 */
@Execution(ExecutionMode.CONCURRENT)
class ProveIT {
    private static final Pattern POOL_THREAD = Pattern.compile("^\"pool-\\d+-thread-\\d+\" #", Pattern.MULTILINE);

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /** Polls jstack until the sample has made {@code n} pools. */
    private static void awaitPools(Jdk jdk, ChildJvm app, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String text = CliExportIT.tool(List.of(jdk.java().getParent().resolve("jstack").toString(), String.valueOf(app.pid())));
            Matcher m = POOL_THREAD.matcher(text);
            int pools = 0;
            while (m.find()) pools++;
            if (pools >= n) return;
            if (System.nanoTime() > deadline) fail("the sample made " + pools + " pools in 60 s, not " + n);
        }
    }

    /** Text on JDK 17, JSON on JDK 25: one heap dump each (a dump and its proof take seconds of a CI's two cores). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPoolPerRequestIsProvenLeakedWorkerByWorker(Jdk jdk) throws Exception {
        boolean json = jdk.feature() >= 21;
        try (ChildJvm app = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.ExecutorPerRequest", "120")) {
            awaitPools(jdk, app, 5);
            Result prove = json ? ChildJvm.cli("prove", "--format", "json", String.valueOf(app.pid())) : ChildJvm.cli("prove", String.valueOf(app.pid()));
            assertThat(prove.exitCode()).as(prove.stdout() + prove.stderr()).isEqualTo(1);
            assertThat(prove.stderr()).contains("threadleak: prove: process " + app.pid() + " stops while its live heap is dumped to ")
                    .containsPattern("heap dump of [0-9.]+ MB written in \\d+ ms");
            if (json) {
                JsonNode doc = new ObjectMapper().readTree(prove.stdout());
                assertThat(doc.path("format").asText()).isEqualTo("threadleak-prove/1");
                assertThat(doc.path("provenThreads").asInt()).isGreaterThanOrEqualTo(5);
                assertThat(doc.path("proven").get(0).path("threads").get(0).path("name").asText()).matches("pool-\\d+-thread-1");
                assertThat(doc.path("proven").get(0).path("parkedAt").asText()).startsWith("java.util.concurrent.ThreadPoolExecutor$Worker.run(");
                JsonNode finding = doc.path("findings").get(0);
                assertThat(finding.path("kind").asText()).isEqualTo("PROVEN_LEAK");
                assertThat(finding.path("severity").asText()).isEqualTo("CRITICAL");
                assertThat(finding.path("threads").asInt()).isEqualTo(doc.path("provenThreads").asInt());
                assertThat(finding.path("waitFrame").asText()).startsWith("java.util.concurrent.ThreadPoolExecutor$Worker.run(");
                assertThat(finding.has("blame")).as("no agent: no creation site").isFalse();
            } else {
                assertThat(prove.stdout()).containsPattern("\\d+ threads in the heap dump; \\d+ proven never to wake, in 1 stack;")
                        .containsPattern("\\[CRITICAL] PROVEN_LEAK: \\d+ threads parked forever on \\d+ objects \\(AbstractQueuedSynchronizer\\$ConditionObject\\), one each")
                        .contains("    @ java.util.concurrent.ThreadPoolExecutor$Worker.run(", "\"pool-1-thread-1\" #");
            }
            assertThat(app.isAlive()).isTrue();
        }
    }

    /** With the agent loaded, the forgotten pools are placed at the line that built them, from the agent's dump taken with the heap's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSchedulerPerSessionNeverShutDownIsProvenForgottenAtTheLineThatBuiltIt(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm app = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir), "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.ForgottenScheduler", "120")) {
            awaitPools(jdk, app, 3);
            Path withProof = dir.resolve("proven.json");
            Result prove = ChildJvm.cli("prove", "-o", withProof.toString(), String.valueOf(app.pid()));
            assertThat(prove.exitCode()).as(prove.stdout() + prove.stderr()).isEqualTo(1);
            int line = ChildJvm.lineOf("ForgottenScheduler.java", "LEAK: a scheduler per session");
            // -o: the agent's dump with the proof, which check fails on and names as every finding
            Result check = ChildJvm.cli("check", withProof.toString());
            assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isEqualTo(1);
            assertThat(check.stdout()).containsPattern("\\[HIGH] PROVEN_LEAK: \\d+ forgotten pools")
                    .contains("    @ dev.threadleak.samples.ForgottenScheduler$Session.<init>(ForgottenScheduler.java:" + line + ")");
            assertThat(prove.stdout()).containsPattern("creation sites from the agent's dump " + Pattern.quote(dir.toString()) + "/threadleak-")
                    .containsPattern("; 0 proven never to wake; \\d+ in \\d+ forgotten pools, never to end;")
                    .containsPattern("\\[HIGH] PROVEN_LEAK: \\d+ forgotten pools \\(ScheduledThreadPoolExecutor\\): \\d+ workers that never end, as nothing can shut them down")
                    .contains("    @ dev.threadleak.samples.ForgottenScheduler$Session.<init>(ForgottenScheduler.java:" + line + ")",
                            "    - waits at ", "ScheduledThreadPoolExecutor$DelayedWorkQueue.take(", "<- blame");
            // the MXBean's prove(): the same proof, the heap dumped into the dump directory and deleted after
            try (javax.management.remote.JMXConnector jmx = JmxIT.connect(app.pid())) {
                javax.management.MBeanServerConnection server = jmx.getMBeanServerConnection();
                javax.management.ObjectName bean = new javax.management.ObjectName("dev.threadleak:type=ThreadLeak");
                String proof = (String) server.invoke(bean, "prove", null, null);
                assertThat(proof).containsPattern("threadleak: prove: heap dump of [0-9.]+ MB written in \\d+ ms \\(the pause, about\\), deleted after the proof")
                        .containsPattern("\\[HIGH] PROVEN_LEAK: \\d+ forgotten pools")
                        .contains("    @ dev.threadleak.samples.ForgottenScheduler$Session.<init>(ForgottenScheduler.java:" + line + ")");
                // from then on the agent's own findings carry the proof (JMX, dumps, /health) while its threads live
                String blame = "dev.threadleak.samples.ForgottenScheduler$Session.<init>(ForgottenScheduler.java:" + line + ")";
                ChildJvm.await("the agent's findings to carry the proof", Duration.ofSeconds(30), () -> {
                    try {
                        for (javax.management.openmbean.CompositeData f : (javax.management.openmbean.CompositeData[]) server.getAttribute(bean, "Findings")) {
                            if (f.get("kind").equals("PROVEN_LEAK") && blame.equals(f.get("blame"))) return true;
                        }
                        return false;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
                assertThat(files).noneMatch(f -> f.toString().endsWith(".hprof"));
            }
        }
    }

    /**
     * Every wait the proof judges, in one JVM (it/apps/ProveCases): each thread is named for what it must be found, and
     * exactly the {@code proven-} ones are (virtual future waiters on JDK 21+); the live ones are not proven, a sleeper
     * and a socket read are said not provable.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void exactlyTheWaitsNothingCanEndAreProven(Jdk jdk) throws Exception {
        try (ChildJvm app = ChildJvm.start(jdk, List.of("-cp", ChildJvm.TEST_CP), "dev.threadleak.agent.it.apps.ProveCases")) {
            ChildJvm.await("every case to wait", Duration.ofSeconds(30), () -> app.stdout().contains("ready"));
            Result prove = ChildJvm.cli("prove", "--format", "json", String.valueOf(app.pid()));
            assertThat(prove.exitCode()).as(prove.stdout() + prove.stderr()).isEqualTo(1);
            JsonNode doc = new ObjectMapper().readTree(prove.stdout());
            List<String> proven = new java.util.ArrayList<>();
            for (JsonNode group : doc.path("proven")) {
                for (JsonNode t : group.path("threads")) proven.add(t.path("name").asText() + (t.path("virtual").asBoolean() ? " (virtual)" : ""));
            }
            List<String> expected = new java.util.ArrayList<>(List.of("proven-consumer", "proven-consumer", "proven-consumer", "proven-future-waiter",
                    "proven-future-waiter", "proven-deadlock-1", "proven-deadlock-2", "proven-monitor-waiter"));
            if (jdk.feature() >= 21) expected.addAll(List.of("proven-virtual-future-waiter (virtual)", "proven-virtual-future-waiter (virtual)"));
            assertThat(proven).as(prove.stdout()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(doc.path("forgottenPools")).isEmpty();
            java.util.Map<String, String> why = new java.util.HashMap<>();
            for (JsonNode t : doc.path("notProven")) why.put(t.path("name").asText(), t.path("why").asText());
            assertThat(why.get("live-pool-worker")).startsWith("not proven: ");
            assertThat(why.get("live-consumer")).startsWith("not proven: ");
            assertThat(why.get("live-monitor-waiter")).startsWith("not proven: ");
            assertThat(why.get("live-registered-consumer")).as("a live registry holds its Thread: it can be interrupted").startsWith("not proven: ");
            assertThat(why.get("unprovable-sleeper")).startsWith("not provable: ");
            assertThat(why.get("unprovable-cached-worker")).as("an abandoned cached pool's workers end when idle").startsWith("not provable: a timed wait");
            assertThat(why.get("unprovable-reader")).isEqualTo("not provable: in I/O (socket read): what wakes it comes from outside the JVM");
            assertThat(doc.path("findings")).isNotEmpty().allMatch(f -> f.path("kind").asText().equals("PROVEN_LEAK") && f.path("severity").asText().equals("CRITICAL"));
        }
    }

    /** The fixed twin closes each session's scheduler: a healthy program with pools made and shut down all the time. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theFixedTwinHasNothingProven(Jdk jdk) throws Exception {
        try (ChildJvm app = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.ForgottenSchedulerFixed", "120")) {
            ChildJvm.await("the sample to start", Duration.ofSeconds(30), () -> !app.stdout().isEmpty());
            Result prove = ChildJvm.cli("prove", String.valueOf(app.pid()));
            assertThat(prove.exitCode()).as(prove.stdout() + prove.stderr()).isZero();
            assertThat(prove.stdout()).containsPattern("\\d+ threads in the heap dump; 0 proven never to wake; \\d+ waiting threads? not proven")
                    .doesNotContain("[PROVEN_LEAK]");
        }
    }
}
