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
 * {@code threadleak prove} on real libraries: Reactor's {@code Schedulers.newParallel} per call, never disposed, is proven
 * (each scheduler's workers wait on queues nothing reaches), and so is a Netty event loop group per call (forgotten: its
 * loop waits in select forever), each placed at the line that made it, from the agent's dump taken with the heap's; the
 * programs' correct use (one scheduler, one group for the program) has nothing proven.
 */
class ProveCorpusIT {
    private static final String CLASSES = Child.required("threadleak.corpusClasses"), LIBRARIES = Child.required("threadleak.corpusLibraries");

    static Stream<Path> jdks() {
        return Child.jdks().stream();
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void aReactorSchedulerPerCallIsProvenAtTheLineThatMadeItAndTheSharedOneIsNot(Path java, @TempDir Path tmp) throws Exception {
        Child leak = proveWhileRunning(java, tmp.resolve("leak"), "ReactorParallel", "leak", "\"work-4\"");
        assertThat(leak.exitCode()).as(leak.stdout() + leak.stderr()).isEqualTo(1);
        assertThat(leak.stdout()).containsPattern("\\[CRITICAL] PROVEN_LEAK: \\d+ threads parked forever on \\d+ objects")
                .containsPattern(blamedOn("ReactorParallel"));
        Child correct = proveWhileRunning(java, tmp.resolve("correct"), "ReactorParallel", "correct", "\"work-2\"");
        assertThat(correct.exitCode()).as(correct.stdout() + correct.stderr()).isZero();
        assertThat(correct.stdout()).doesNotContain("PROVEN_LEAK");
    }

    /** A Netty group per call: its event loop waits in select, never parked, and nothing but its own thread reaches the group. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void aNettyGroupPerCallIsProvenForgottenAtTheLineThatMadeItAndTheSharedOneIsNot(Path java, @TempDir Path tmp) throws Exception {
        Child leak = proveWhileRunning(java, tmp.resolve("leak"), "NettyTaskGroup", "leak", "EventLoopGroup-4-1\"");
        assertThat(leak.exitCode()).as(leak.stdout() + leak.stderr()).isEqualTo(1);
        assertThat(leak.stdout()).containsPattern("\\[HIGH] PROVEN_LEAK: \\d+ forgotten pools \\(MultiThreadIoEventLoopGroup\\): \\d+ workers that never end")
                .containsPattern(blamedOn("NettyTaskGroup"));
        Child correct = proveWhileRunning(java, tmp.resolve("correct"), "NettyTaskGroup", "correct", "EventLoopGroup-2-1\"");
        assertThat(correct.exitCode()).as(correct.stdout() + correct.stderr()).isZero();
        assertThat(correct.stdout()).doesNotContain("PROVEN_LEAK");
    }

    /** The report's blame line: the lambda in {@code program}'s main on its "// LEAK:" line. */
    private static String blamedOn(String program) throws Exception {
        return "    @ dev\\.threadleak\\.corpus\\." + program + "\\.lambda\\$main\\$\\d+\\(" + program + "\\.java:" + Child.lineOf(program + ".java", "// LEAK:") + "\\)";
    }

    /** Starts {@code program} ({@code use}) under the agent, waits for a thread whose jstack line holds {@code marker}, proves it, and ends it. */
    private static Child proveWhileRunning(Path java, Path dir, String program, String use, String marker) throws Exception {
        Process app = new ProcessBuilder(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dir, "-cp", CLASSES + File.pathSeparator + LIBRARIES,
                "dev.threadleak.corpus." + program, use, "6000").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path jstack = java.resolveSibling("jstack");
            while (true) {
                String threads = Child.run(List.of(jstack.toString(), String.valueOf(app.pid()))).stdout();
                if (threads.contains(marker)) break;
                if (!app.isAlive() || System.nanoTime() > deadline) fail(program + " " + use + " made no thread " + marker + " in 60 s");
            }
            return Child.cli("prove", String.valueOf(app.pid()));
        } finally {
            app.destroyForcibly().waitFor();
        }
    }
}
