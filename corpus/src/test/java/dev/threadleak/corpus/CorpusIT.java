package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each real library used leakily is flagged by {@code check} (exit 1) and every finding blames the program's
 * own leaking line (its {@code // LEAK:} line), never a line inside the library; used correctly, it gets no
 * finding (exit 0). One child JVM per program and JDK, run in parallel (junit-platform settings in the pom).
 */
class CorpusIT {
    /**
     * Short sampling (as the agent's FindingsIT), a window as long as a whole run (the first sample may come
     * seconds late on a loaded machine), no periodic dump.
     */
    private static final String OPTIONS = "interval=0,sample=200ms,window=10s,growth=10";
    /** Calls per run: a leak's 50 (one every 100 ms) span enough samples to rise; a correct use's 30 show it stays flat. */
    private static final int LEAK_CALLS = 50, CORRECT_CALLS = 30;

    /** The corpus programs, one per library. */
    static final List<String> PROGRAMS = List.of("NettyClient", "NettyServer", "OkHttp", "JdkHttpClient", "ReactorParallel", "GuavaExecutor",
            "JettyClient", "ApacheHttpClient", "CaffeineCache", "QuartzScheduler", "SpringTaskScheduler", "Hikari", "RxJavaNewThread",
            "TimerPerCall", "ScheduledPool", "CompletableFutureExecutor", "GrpcChannel");

    /** Every program on every JDK; {@code -Dcorpus.programs=GrpcChannel,OkHttp} runs only those. */
    static Stream<Arguments> cases() {
        String only = System.getProperty("corpus.programs", "");
        List<String> programs = only.isBlank() ? PROGRAMS : List.of(only.split(","));
        assertThat(PROGRAMS).as("-Dcorpus.programs").containsAll(programs);
        return Child.jdks().stream().flatMap(java -> programs.stream().map(p -> Arguments.of(java, p)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void leakyUseIsFlaggedAndBlamedOnTheLeakingLine(Path java, String program) throws Exception {
        Path dumps = runUnderAgent(java, program, "leak", LEAK_CALLS);
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.exitCode()).as("check exit code; stdout:\n%s", check.stdout()).isEqualTo(1);
        String leakLine = program + ".java:" + Child.lineOf(program + ".java", "// LEAK:") + ")";
        List<String> blamed = check.stdout().lines().filter(l -> l.startsWith("    @ ")).toList();
        assertThat(blamed).as("blame frames in:\n%s", check.stdout()).isNotEmpty().allMatch(l -> l.endsWith(leakLine));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void correctUseHasNoFinding(Path java, String program) throws Exception {
        Path dumps = runUnderAgent(java, program, "correct", CORRECT_CALLS);
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.stdout()).contains("no findings");
        assertThat(check.exitCode()).isZero();
    }

    /** Runs {@code program leak|correct calls} under the agent to its end; its exit dump is in the returned directory. */
    private static Path runUnderAgent(Path java, String program, String use, int calls) throws Exception {
        Path dumps = Files.createTempDirectory("tl-corpus-");
        Child child = Child.run(List.of(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dumps + "," + OPTIONS,
                "-cp", Child.required("threadleak.corpusClasspath"), "dev.threadleak.corpus." + program, use, Integer.toString(calls)));
        assertThat(child.exitCode()).as(child.stderr()).isZero();
        assertThat(child.stdout()).isEqualTo("calls done\n");
        return dumps;
    }
}
