package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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

    /** The corpus's compiled programs (a class-path directory) and the libraries' jars (a class path). */
    private static final String CLASSES = Child.required("threadleak.corpusClasses"), LIBRARIES = Child.required("threadleak.corpusLibraries");

    /** The corpus programs, one per library. */
    static final List<String> PROGRAMS = List.of("NettyClient", "NettyServer", "OkHttp", "JdkHttpClient", "ReactorParallel", "GuavaExecutor",
            "JettyClient", "ApacheHttpClient", "CaffeineCache", "QuartzScheduler", "SpringTaskScheduler", "Hikari", "RxJavaNewThread",
            "TimerPerCall", "ScheduledPool", "CompletableFutureExecutor", "GrpcChannel", "FileMonitor");

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
        Path dumps = runUnderAgent(java, CLASSES + File.pathSeparator + LIBRARIES, "", program, "leak", LEAK_CALLS);
        assertFlaggedAndBlamedOn(dumps, program + ".java", "// LEAK:");
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void correctUseHasNoFinding(Path java, String program) throws Exception {
        Path dumps = runUnderAgent(java, CLASSES + File.pathSeparator + LIBRARIES, "", program, "correct", CORRECT_CALLS);
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.stdout()).contains("no findings");
        assertThat(check.exitCode()).isZero();
    }

    /*
     * The application's own code, end to end (README "Blame rules", point 2). Commons IO is no listed thread
     * maker, so only own code keeps the blame off its FileAlterationMonitor.start; the run above takes own code
     * from the class-path directory. Here the program is in jars, as deployed: java -cp app.jar:watcher.jar:lib/*.
     */

    /** The main class's jar is own code; another jar, even the application's, is a dependency: its caller in the main jar is blamed. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void ownCodeIsTheMainClasssJarAndNotAnotherJarOfTheApplication(Path java) throws Exception {
        Path dumps = runUnderAgent(java, ownCodeInTwoJars(), "", "FileMonitor", "leak", LEAK_CALLS);
        String stack = assertFlaggedAndBlamedOn(dumps, "FileMonitor.java", "// CALLS THE LEAK:");
        assertThat(stack).as("the frames passed over").contains("\tat dev.threadleak.corpus.FileMonitor$Watcher.watch(FileMonitor.java:")
                .contains("\tat org.apache.commons.io.monitor.FileAlterationMonitor.start(FileAlterationMonitor.java:");
    }

    /** {@code app=} wins over the inferred own code: the watcher's line, whatever jar holds it. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void appNamesTheApplicationWhicheverJarHoldsIt(Path java) throws Exception {
        Path dumps = runUnderAgent(java, ownCodeInTwoJars(), ",app=dev.threadleak.corpus", "FileMonitor", "leak", LEAK_CALLS);
        assertFlaggedAndBlamedOn(dumps, "FileMonitor.java", "// LEAK:");
    }

    static Stream<Path> jdks() {
        return Child.jdks().stream();
    }

    /** The corpus classes as two jars, the helper FileMonitor.Watcher in watcher.jar and the rest in app.jar, then the libraries. */
    private static String ownCodeInTwoJars() throws IOException {
        Path dir = Files.createTempDirectory("tl-corpus-jars-");
        Path app = dir.resolve("app.jar"), watcher = dir.resolve("watcher.jar");
        try (JarOutputStream appJar = new JarOutputStream(Files.newOutputStream(app));
             JarOutputStream watcherJar = new JarOutputStream(Files.newOutputStream(watcher));
             Stream<Path> files = Files.walk(Path.of(CLASSES))) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = Path.of(CLASSES).relativize(f).toString().replace(File.separatorChar, '/');
                JarOutputStream jar = name.startsWith("dev/threadleak/corpus/FileMonitor$Watcher") ? watcherJar : appJar;
                jar.putNextEntry(new JarEntry(name));
                jar.write(Files.readAllBytes(f));
                jar.closeEntry();
            }
        }
        return String.join(File.pathSeparator, app.toString(), watcher.toString(), LIBRARIES);
    }

    /**
     * Asserts {@code check} flags the dumps (exit 1) with every finding blamed on the line of {@code marker} in
     * {@code sourceFile}; returns check's output.
     */
    private static String assertFlaggedAndBlamedOn(Path dumps, String sourceFile, String marker) throws Exception {
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.exitCode()).as("check exit code; stdout:\n%s", check.stdout()).isEqualTo(1);
        String line = sourceFile + ":" + Child.lineOf(sourceFile, marker) + ")";
        List<String> blamed = check.stdout().lines().filter(l -> l.startsWith("    @ ")).toList();
        assertThat(blamed).as("blame frames in:\n%s", check.stdout()).isNotEmpty().allMatch(l -> l.endsWith(line));
        return check.stdout();
    }

    /**
     * Runs {@code program leak|correct calls} on a class path under the agent (its options and {@code moreOptions})
     * to its end; its exit dump is in the returned directory.
     */
    private static Path runUnderAgent(Path java, String classPath, String moreOptions, String program, String use, int calls) throws Exception {
        Path dumps = Files.createTempDirectory("tl-corpus-");
        Child child = Child.run(List.of(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dumps + "," + OPTIONS + moreOptions,
                "-cp", classPath, "dev.threadleak.corpus." + program, use, Integer.toString(calls)));
        assertThat(child.exitCode()).as(child.stderr()).isZero();
        assertThat(child.stdout()).isEqualTo("calls done\n");
        return dumps;
    }
}
