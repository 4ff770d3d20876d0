package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code list}, {@code attach} and {@code dump <pid>} against running JVMs, and every reason attaching cannot work. */
class RunningJvmCliIT {
    private static final Duration DEADLINE = Duration.ofSeconds(45);

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aSampleStartedWithoutTheAgentIsListedAttachedAndDumpedNamingTheLeakingLine(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dumps");
        try (ChildJvm child = ChildJvm.start(jdk, List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.BlockedConsumers", "60")) {
            ChildJvm.await("the sample to start consumers", DEADLINE, () -> child.stdout().startsWith("BlockedConsumers:"));
            String pid = String.valueOf(child.pid());

            Result list = ChildJvm.cli("list");
            assertThat(list.exitCode()).isZero();
            assertThat(ChildJvm.lines(list.stdout())).first().asString().startsWith("PID").contains("UPTIME", "MAIN", "THREADLEAK");
            assertThat(ChildJvm.lines(list.stdout())).anyMatch(l -> l.startsWith(pid + " ") && l.contains(" dev.threadleak.samples.BlockedConsumers ")
                    && l.endsWith(" not loaded"));

            Result notYet = ChildJvm.cli("dump", pid);
            assertThat(notYet.stdout()).isEmpty();
            assertThat(notYet.stderr()).isEqualTo("threadleak: dump: process " + pid + " does not have the threadleak agent; load it with: threadleak attach " + pid + "\n");
            assertThat(notYet.exitCode()).isEqualTo(2);

            Result attach = ChildJvm.cli("attach", pid, "dir=" + dir + ",sample=200ms");
            assertThat(attach.stderr()).isEmpty();
            assertThat(attach.exitCode()).isZero();
            assertThat(ChildJvm.lines(ChildJvm.cli("list").stdout())).anyMatch(l -> l.startsWith(pid + " ") && l.endsWith(" loaded, dumps in " + dir));

            Result twice = ChildJvm.cli("attach", pid);
            assertThat(twice.stderr()).isEqualTo("threadleak: attach: process " + pid + " already has the threadleak agent (dumps go to " + dir + "); not attached again\n");
            assertThat(twice.exitCode()).isEqualTo(2);

            // consumers started after the attach have their creation site: the report of a dump taken now names the line
            String leakFrame = "@ dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:"
                    + ChildJvm.lineOf("BlockedConsumers.java", "// LEAK:") + ")";
            Result[] dump = new Result[1];
            ChildJvm.await("dump <pid> to name the leaking line", DEADLINE, () -> {
                dump[0] = cli("dump", pid);
                return dump[0].exitCode() == 0 && dump[0].stdout().contains(leakFrame);
            });
            assertThat(dump[0].stderr()).isEmpty();
            assertThat(dump[0].stdout()).startsWith("threadleak report: " + dir + "/threadleak-" + pid + "-").contains("started " + leakFrame);

            Path copy = dir.resolveSibling("now.json");
            Result toFile = ChildJvm.cli("dump", pid, "-o", copy.toString());
            assertThat(toFile.stderr()).isEmpty();
            assertThat(toFile.stdout()).isEqualTo("threadleak: dump of process " + pid + " written to " + copy + "\n");
            Snapshot written = ChildJvm.readDump(copy);
            assertThat(written.pid()).isEqualTo(child.pid());

            // the same for scripts: list and dump in JSON
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode listed = json.readTree(ChildJvm.cli("list", "--format", "json").stdout());
            assertThat(listed.path("format").asText()).isEqualTo("threadleak-list/1");
            assertThat(listed.path("jvms")).anyMatch(j -> j.path("pid").asLong() == child.pid() && j.path("threadleak").asText().equals("loaded")
                    && j.path("dir").asText().equals(dir.toString()) && j.path("main").asText().equals("dev.threadleak.samples.BlockedConsumers"));
            Result jsonDump = ChildJvm.cli("dump", pid, "--format", "json");
            assertThat(jsonDump.stderr()).isEmpty();
            com.fasterxml.jackson.databind.JsonNode report = json.readTree(jsonDump.stdout());
            assertThat(report.path("format").asText()).isEqualTo("threadleak-report/1");
            assertThat(report.path("pid").asLong()).isEqualTo(child.pid());
            assertThat(report.path("groups")).anyMatch(g -> ("@ " + g.path("blame").asText()).equals(leakFrame));
            assertThat(child.isAlive()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachingWhereItCannotWorkIsOneLineAndExitTwo(Jdk jdk) throws Exception {
        try (ChildJvm closed = ChildJvm.start(jdk, List.of("-XX:+DisableAttachMechanism", "-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.HealthyService", "60")) {
            ChildJvm.await("the sample to start", DEADLINE, () -> !closed.stdout().isEmpty());
            assertOneLine(ChildJvm.cli("attach", String.valueOf(closed.pid())), "threadleak: attach: process " + closed.pid()
                    + " is a JVM that does not accept attaching (started with -XX:+DisableAttachMechanism, or not yet ready); restart it with -javaagent instead");
            assertOneLine(ChildJvm.cli("dump", String.valueOf(closed.pid())), "threadleak: dump: process " + closed.pid()
                    + " is a JVM that does not accept attaching (started with -XX:+DisableAttachMechanism, or not yet ready); restart it with -javaagent instead");
            assertThat(ChildJvm.cli("list").stdout()).doesNotContain(closed.pid() + " ");
        }
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertOneLine(ChildJvm.cli("attach", String.valueOf(sleep.pid())), "threadleak: attach: process " + sleep.pid() + " (sleep) is not a Java virtual machine");
        } finally {
            sleep.destroyForcibly();
        }
        assertThat(sleep.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertOneLine(ChildJvm.cli("attach", String.valueOf(sleep.pid())), "threadleak: attach: no process " + sleep.pid());
    }

    /** Needs root, to start a JVM as another user (nobody); skipped otherwise. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anotherUsersJvmIsOneLineNamingTheUser(Jdk jdk) throws Exception {
        assumeTrue(System.getProperty("user.name").equals("root") && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
        // the JVM makes nobody's performance-data directory, which no JVM removes: removed here unless it was there before
        Path perfData = Path.of("/tmp", "hsperfdata_nobody");
        boolean hadPerfData = Files.exists(perfData);
        try (ChildJvm other = ChildJvm.start(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), jdk,
                List.of("-cp", ChildJvm.SAMPLES_CP), "dev.threadleak.samples.HealthyService", "60")) {
            ChildJvm.await("the sample to start as nobody", DEADLINE, () -> !other.stdout().isEmpty());
            String user = ProcessHandle.of(other.pid()).flatMap(p -> p.info().user()).orElseThrow();
            assertOneLine(ChildJvm.cli("attach", String.valueOf(other.pid())), "threadleak: attach: process " + other.pid() + " belongs to user " + user
                    + ", not root; the attach API only reaches JVMs of the same user (run as that user: sudo -u " + user + " ...)");
            assertThat(ChildJvm.cli("list").stdout()).doesNotContain(other.pid() + " ");
            assertThat(other.isAlive()).isTrue();
        } finally {
            if (!hadPerfData) Files.deleteIfExists(perfData);
        }
    }

    private static void assertOneLine(Result r, String line) {
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo(line + "\n");
        assertThat(r.exitCode()).isEqualTo(2);
    }

    private static Result cli(String... args) {
        try {
            return ChildJvm.cli(args);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
