package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code threadleak attach <pid>}: the agent loaded into a JVM that is already running, as a user would. */
class AttachIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachToARunningJvmThenItsNewThreadsHaveSitesAndOldOnesAreStartedBeforeAgent(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        try (ChildJvm child = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.BlockedConsumers", "60")) {
            ChildJvm.await("the sample to start consumers", DEADLINE, () -> child.stdout().startsWith("BlockedConsumers:"));
            Result attach = ChildJvm.cli("attach", String.valueOf(child.pid()), "dir=" + dir + ",interval=300ms,sample=200ms,window=2s");
            assertThat(attach.stderr()).isEmpty();
            assertThat(attach.exitCode()).isZero();
            assertThat(attach.stdout()).isEqualTo("threadleak: attached to process " + child.pid() + "; dumps go to " + dir + "\n");

            ChildJvm.await("a dump with SITE_GROWTH", DEADLINE, () -> siteGrowth(dir));
            Snapshot dump = ChildJvm.newestDump(dir);
            String leakLine = "BlockedConsumers.java:" + ChildJvm.lineOf("BlockedConsumers.java", "// LEAK:") + ")";
            List<ThreadEntry> consumers = dump.threads().stream().filter(t -> t.name().startsWith("consumer-")).toList();
            assertThat(consumers).filteredOn(t -> t.origin() == Origin.BEFORE_AGENT).as("consumers from before the attach").isNotEmpty();
            assertThat(consumers).filteredOn(t -> t.origin() == Origin.STARTED).isNotEmpty()
                    .allSatisfy(t -> assertThat(dump.site(t.site()).blameFrame().toString()).endsWith(leakLine));
            assertThat(child.isAlive()).isTrue();
            assertThat(child.stdout()).startsWith("BlockedConsumers:").hasLineCount(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void badOptionsAreOneLineAndTheTargetIsUntouched(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        try (ChildJvm child = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.HealthyService", "60")) {
            ChildJvm.await("the sample to start", DEADLINE, () -> !child.stdout().isEmpty());
            Result attach = ChildJvm.cli("attach", String.valueOf(child.pid()), "dir=" + dir + ",intervl=1s");
            assertThat(attach.exitCode()).isEqualTo(2);
            assertThat(attach.stdout()).isEmpty();
            assertThat(attach.stderr()).isEqualTo("threadleak: unknown option 'intervl' (known: dir, interval, keep, depth, app, "
                    + "sample, blocked, window, growth, duplicates, sites, starts, submissions, threads, http, token, secrets, health.live, health.delta, health.longBlocked, log)\n");
            assertThat(child.isAlive()).isTrue();
            assertThat(child.stderr()).isEmpty(); // not even the JDK's dynamic-agent warning: nothing was loaded
            assertThat(dir).doesNotExist();
        }
        Result noSuchProcess = ChildJvm.cli("attach", "2147483646");
        assertThat(noSuchProcess.exitCode()).isEqualTo(2);
        assertThat(noSuchProcess.stderr()).isEqualTo("threadleak: attach: no process 2147483646\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachToAJvmThatHasTheAgentAlreadyIsOneLineAndExitTwo(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        Path other = dir.resolveSibling("other");
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "60")) {
            ChildJvm.await("the sample to start", DEADLINE, () -> !child.stdout().isEmpty());
            Result attach = ChildJvm.cli("attach", String.valueOf(child.pid()), "dir=" + other);
            assertThat(attach.stdout()).isEmpty();
            assertThat(attach.stderr()).isEqualTo("threadleak: attach: process " + child.pid()
                    + " already has the threadleak agent (dumps go to " + dir + "); not attached again\n");
            assertThat(attach.exitCode()).isEqualTo(2);
            assertThat(child.isAlive()).isTrue();
            assertThat(other).doesNotExist();
        }
    }

    /**
     * Two attaches at the same moment both find no agent before loading: one wins, the other says so (exit 2), and the
     * target says one line, never the JDK's stack trace of a refused load. Before: a 15-line stack trace on the
     * target's stderr (InvocationTargetException, IllegalStateException, java.lang.instrument ASSERTION FAILED).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void twoAttachesAtOnceLoadOneAgentAndTheTargetSaysAtMostOneLine(Jdk jdk, @TempDir Path dir) throws Exception {
        for (int round = 0; round < 3; round++) { // the race is not won the same way every time
            try (ChildJvm child = ChildJvm.start(jdk, List.of("-XX:+EnableDynamicAgentLoading", "-cp", ChildJvm.SAMPLES_CP),
                    "dev.threadleak.samples.HealthyService", "60")) {
                ChildJvm.await("the sample to start", DEADLINE, () -> !child.stdout().isEmpty());
                String options = "dir=" + dir.resolve("r" + round) + ",interval=0";
                java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
                try {
                    java.util.concurrent.Callable<Result> attach = () -> ChildJvm.cli("attach", String.valueOf(child.pid()), options);
                    List<Result> results = List.of(two.submit(attach), two.submit(attach)).stream().map(f -> {
                        try {
                            return f.get();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    }).toList();
                    assertThat(results).extracting(Result::exitCode).as("%s", results).containsExactlyInAnyOrder(0, 2);
                    Result lost = results.stream().filter(r -> r.exitCode() == 2).findFirst().orElseThrow();
                    assertThat(lost.stderr()).isEqualTo("threadleak: attach: process " + child.pid()
                            + " already has the threadleak agent (dumps go to " + dir.resolve("r" + round) + "); not attached again\n");
                } finally {
                    two.shutdown();
                }
                // the loser's load, when it got as far as the target: one line
                List<String> stderr = ChildJvm.lines(child.stderr());
                assertThat(stderr).as(child.stderr()).hasSizeLessThanOrEqualTo(1)
                        .allMatch(l -> l.equals("[threadleak] agent already loaded in this JVM; ignoring the second load"));
                assertThat(child.isAlive()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRelativeDirIsTheCliDirsAndTheDefaultDirIsTheTargetsAsAnnounced(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path cliCwd = Files.createDirectory(tmp.resolve("cwd"));
        Path targetTmp = Files.createDirectory(tmp.resolve("tmp"));
        for (boolean relative : List.of(true, false)) {
            try (ChildJvm child = ChildJvm.start(jdk, List.of("-Djava.io.tmpdir=" + targetTmp, "-cp", ChildJvm.SAMPLES_CP),
                    "dev.threadleak.samples.HealthyService", "60")) {
                ChildJvm.await("the sample to start", DEADLINE, () -> !child.stdout().isEmpty());
                // the second attach says it in JSON, for scripts
                Result attach = relative ? ChildJvm.cliIn(cliCwd, "attach", String.valueOf(child.pid()), "dir=rel,interval=300ms")
                        : ChildJvm.cliIn(cliCwd, "attach", "--format", "json", String.valueOf(child.pid()), "interval=300ms");
                Path expected = relative ? cliCwd.resolve("rel") : targetTmp.resolve("threadleak-" + System.getProperty("user.name"));
                assertThat(attach.stderr()).isEmpty();
                if (relative) {
                    assertThat(attach.stdout()).isEqualTo("threadleak: attached to process " + child.pid() + "; dumps go to " + expected + "\n");
                } else {
                    JsonNode json = new ObjectMapper().readTree(attach.stdout());
                    assertThat(json.path("format").asText()).isEqualTo("threadleak-attach/1");
                    assertThat(json.path("pid").asLong()).isEqualTo(child.pid());
                    assertThat(json.path("dir").asText()).isEqualTo(expected.toString());
                }
                assertThat(attach.exitCode()).isZero();
                ChildJvm.await("a dump in " + expected, DEADLINE, () -> !ChildJvm.dumps(expected).isEmpty());
            }
        }
    }

    private static boolean siteGrowth(Path dir) {
        if (ChildJvm.dumps(dir).isEmpty()) return false;
        try {
            return ChildJvm.newestDump(dir).findings().stream().anyMatch(f -> f.kind() == Finding.Kind.SITE_GROWTH);
        } catch (Exception halfWrittenNever) {
            throw new AssertionError(halfWrittenNever);
        }
    }
}
