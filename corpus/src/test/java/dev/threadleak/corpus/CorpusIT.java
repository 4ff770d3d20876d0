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
    /** Short sampling and window so 3 s of calls show a trend (as the agent's FindingsIT), no periodic dump. */
    private static final String OPTIONS = "interval=0,sample=200ms,window=2s,growth=10";

    /** The corpus programs, one per library. */
    static final List<String> PROGRAMS = List.of("NettyClient", "OkHttp", "JdkHttpClient", "ReactorParallel", "GuavaExecutor",
            "JettyClient", "ApacheHttpClient", "CaffeineCache", "QuartzScheduler", "SpringTaskScheduler", "Hikari", "RxJavaNewThread",
            "TimerPerCall", "ScheduledPool", "CompletableFutureExecutor");

    static Stream<Arguments> cases() {
        return Child.jdks().stream().flatMap(java -> PROGRAMS.stream().map(p -> Arguments.of(java, p)));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void leakyUseIsFlaggedAndBlamedOnTheLeakingLine(Path java, String program) throws Exception {
        Path dumps = runUnderAgent(java, program, "leak");
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.exitCode()).as("check exit code; stdout:\n%s", check.stdout()).isEqualTo(1);
        String leakLine = program + ".java:" + Child.lineOf(program + ".java", "// LEAK:") + ")";
        List<String> blamed = check.stdout().lines().filter(l -> l.startsWith("    @ ")).toList();
        assertThat(blamed).as("blame frames in:\n%s", check.stdout()).isNotEmpty().allMatch(l -> l.endsWith(leakLine));
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void correctUseHasNoFinding(Path java, String program) throws Exception {
        Path dumps = runUnderAgent(java, program, "correct");
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.stdout()).contains("no findings");
        assertThat(check.exitCode()).isZero();
    }

    /** Runs {@code program leak|correct} under the agent to its end; its exit dump is in the returned directory. */
    private static Path runUnderAgent(Path java, String program, String use) throws Exception {
        Path dumps = Files.createTempDirectory("tl-corpus-");
        Child child = Child.run(List.of(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dumps + "," + OPTIONS,
                "-cp", System.getProperty("java.class.path"), "dev.threadleak.corpus." + program, use));
        assertThat(child.exitCode()).as(child.stderr()).isZero();
        assertThat(child.stdout()).isEqualTo("calls done\n");
        return dumps;
    }
}
