package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code threadleak prove} on a real library: Reactor's {@code Schedulers.newParallel} per call, never disposed, is proven
 * (each scheduler's workers wait on queues nothing reaches) and placed at the line that made it, from the agent's dump
 * taken with the heap's; the program's correct use (one scheduler for the program) has nothing proven.
 */
class ProveCorpusIT {
    private static final String CLASSES = Child.required("threadleak.corpusClasses"), LIBRARIES = Child.required("threadleak.corpusLibraries");

    static Stream<Path> jdks() {
        return Child.jdks().stream();
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void aReactorSchedulerPerCallIsProvenAtTheLineThatMadeItAndTheSharedOneIsNot(Path java, @TempDir Path tmp) throws Exception {
        Child leak = proveWhileRunning(java, tmp.resolve("leak"), "leak", 4);
        assertThat(leak.exitCode()).as(leak.stdout() + leak.stderr()).isEqualTo(1);
        int line = Child.lineOf("ReactorParallel.java", "// LEAK:");
        assertThat(leak.stdout()).containsPattern("\\[CRITICAL] PROVEN_LEAK: \\d+ threads parked forever on \\d+ objects")
                .containsPattern("    @ dev\\.threadleak\\.corpus\\.ReactorParallel\\.lambda\\$main\\$\\d+\\(ReactorParallel\\.java:" + line + "\\)");
        Child correct = proveWhileRunning(java, tmp.resolve("correct"), "correct", 2);
        assertThat(correct.exitCode()).as(correct.stdout() + correct.stderr()).isZero();
        assertThat(correct.stdout()).doesNotContain("PROVEN_LEAK");
    }

    /** Starts ReactorParallel ({@code use}) under the agent, waits for {@code workers} of its "work-" workers, proves it, and ends it. */
    private static Child proveWhileRunning(Path java, Path dir, String use, int workers) throws Exception {
        Process app = new ProcessBuilder(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dir, "-cp", CLASSES + File.pathSeparator + LIBRARIES,
                "dev.threadleak.corpus.ReactorParallel", use, "6000").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path jstack = java.resolveSibling("jstack");
            while (true) {
                String threads = Child.run(List.of(jstack.toString(), String.valueOf(app.pid()))).stdout();
                if (threads.contains("\"work-" + workers + "\"")) break;
                if (!app.isAlive() || System.nanoTime() > deadline) fail("ReactorParallel " + use + " made no worker work-" + workers + " in 60 s");
            }
            return Child.cli("prove", String.valueOf(app.pid()));
        } finally {
            app.destroyForcibly().waitFor();
        }
    }
}
