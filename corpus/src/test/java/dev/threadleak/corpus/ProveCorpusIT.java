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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code threadleak prove} on real libraries: Reactor's {@code Schedulers.newParallel} per call, never disposed, is proven
 * (each scheduler's workers wait on queues nothing reaches), and so is a Netty event loop group per call (forgotten: its
 * loop waits in select forever), each placed at the line that made it, from the agent's dump taken with the heap's; the
 * programs' correct use (one scheduler, one group for the program) has nothing proven.
 */
class ProveCorpusIT {
    private static final String CLASSES = Child.required("threadleak.corpusClasses"), LIBRARIES = Child.required("threadleak.corpusLibraries");

    /**
     * Each program, leaking then used correctly: Reactor's scheduler per call (its workers wait on queues nothing reaches:
     * never to wake), a Netty group per call (its loop waits in select, never parked, and nothing but its own thread reaches
     * the group: forgotten). {@code leaking}/{@code correct}: a thread jstack shows once enough calls were made; a null
     * {@code correct}: the correct use is not run on this JDK.
     */
    static Stream<Arguments> cases() {
        List<Arguments> out = new java.util.ArrayList<>();
        for (Path java : Child.jdks()) {
            // the correct uses on the first JDK only (a null marker): CI's time is bounded, and the leaks are what differs between JDKs
            String healthy = out.isEmpty() ? "\"work-2\"" : null;
            out.add(Arguments.of(java, "ReactorParallel", "\"work-4\"", healthy, "\\[CRITICAL] PROVEN_LEAK: \\d+ threads parked forever on \\d+ objects"));
            out.add(Arguments.of(java, "NettyTaskGroup", "EventLoopGroup-4-1\"", healthy == null ? null : "EventLoopGroup-2-1\"",
                    "\\[HIGH] PROVEN_LEAK: \\d+ forgotten pools \\(MultiThreadIoEventLoopGroup\\): \\d+ workers that never end"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void aPoolPerCallIsProvenAtTheLineThatMadeItAndTheSharedOneIsNot(Path java, String program, String leaking, String correct, String finding,
                                                                    @TempDir Path tmp) throws Exception {
        Child leak = proveWhileRunning(java, tmp.resolve("leak"), program, "leak", leaking);
        assertThat(leak.exitCode()).as(leak.stdout() + leak.stderr()).isEqualTo(1);
        assertThat(leak.stdout()).containsPattern(finding).containsPattern(blamedOn(program));
        if (correct == null) return;
        Child healthy = proveWhileRunning(java, tmp.resolve("correct"), program, "correct", correct);
        assertThat(healthy.exitCode()).as(healthy.stdout() + healthy.stderr()).isZero();
        assertThat(healthy.stdout()).doesNotContain("PROVEN_LEAK");
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
