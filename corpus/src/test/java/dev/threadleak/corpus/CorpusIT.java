package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each real library used leakily is flagged by {@code check} (exit 1) and every finding blames the program's
 * own leaking line (its {@code // LEAK:} line), never a line inside the library; used correctly, it gets no
 * finding (exit 0). The same holds when the program runs from jars, as deployed, with the application's own
 * code inferred (no {@code app=}) or named. One child JVM per run and JDK, run in parallel (junit-platform
 * settings in the pom).
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

    /** The corpus programs, one per library (FileMonitor: Commons IO, a thread maker the blame rules do not list). */
    static final List<String> PROGRAMS = List.of("NettyClient", "NettyServer", "OkHttp", "JdkHttpClient", "ReactorParallel", "GuavaExecutor",
            "JettyClient", "ApacheHttpClient", "CaffeineCache", "QuartzScheduler", "SpringTaskScheduler", "Hikari", "RxJavaNewThread",
            "TimerPerCall", "ScheduledPool", "CompletableFutureExecutor", "GrpcChannel", "FileMonitor");

    /** Every program on every JDK; {@code -Dcorpus.programs=GrpcChannel,OkHttp} runs only those (see {@link Programs}). */
    static Stream<Arguments> cases() {
        List<String> programs = Programs.selected(PROGRAMS);
        return Child.jdks().stream().flatMap(java -> programs.stream().map(p -> Arguments.of(java, p)));
    }

    /** False when {@code -Dcorpus.programs} names only HealthyCorpusIT's programs (a parameterized test may not have no case). */
    static boolean anySelected() {
        return !Programs.selected(PROGRAMS).isEmpty();
    }

    @EnabledIf("anySelected")
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void leakyUseIsFlaggedAndBlamedOnTheLeakingLine(Path java, String program, @TempDir Path tmp) throws Exception {
        Path dumps = runUnderAgent(java, tmp, program, "leak", LEAK_CALLS);
        assertFlaggedAndBlamedOn(dumps, program + ".java", "// LEAK:");
    }

    @EnabledIf("anySelected")
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("cases")
    void correctUseHasNoFinding(Path java, String program, @TempDir Path tmp) throws Exception {
        Path dumps = runUnderAgent(java, tmp, program, "correct", CORRECT_CALLS);
        Child check = Child.cli("check", dumps.toString());
        assertThat(check.stdout()).contains("no findings");
        assertThat(check.exitCode()).isZero();
    }

    /*
     * The application's own code, end to end (README "Blame rules", point 2). Commons IO is no listed thread
     * maker, so only own code keeps the blame off its FileAlterationMonitor.start; the run above takes own code
     * from the class-path directory. Here the program is in jars, as deployed: java -cp app.jar:watcher.jar:lib/*, java -jar app.jar
 * (thin, or shaded with its libraries inside).
     */

    /** The main class's jar is own code; another jar, even the application's, is a dependency: its caller in the main jar is blamed. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void ownCodeIsTheMainClasssJarAndNotAnotherJarOfTheApplication(Path java, @TempDir Path tmp) throws Exception {
        Path dumps = runUnderAgent(java, tmp, ownCodeInTwoJars(tmp), "", "leak", LEAK_CALLS);
        String stack = assertFlaggedAndBlamedOn(dumps, "FileMonitor.java", "// CALLS THE LEAK:");
        assertThat(stack).as("the frames passed over").contains("\tat dev.threadleak.corpus.FileMonitor$Watcher.watch(FileMonitor.java:")
                .contains("\tat org.apache.commons.io.monitor.FileAlterationMonitor.start(FileAlterationMonitor.java:");
    }

    /** {@code app=} wins over the inferred own code: the watcher's line, whatever jar holds it. */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void appNamesTheApplicationWhicheverJarHoldsIt(Path java, @TempDir Path tmp) throws Exception {
        Path dumps = runUnderAgent(java, tmp, ownCodeInTwoJars(tmp), ",app=dev.threadleak.corpus", "leak", LEAK_CALLS);
        assertFlaggedAndBlamedOn(dumps, "FileMonitor.java", "// LEAK:");
    }

    /** {@code java -jar app.jar}: the jar named on the command line is own code (its manifest's Class-Path holds the libraries). */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void javaDashJarsJarIsOwnCode(Path java, @TempDir Path tmp) throws Exception {
        Manifest manifest = manifest("FileMonitor");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Stream.of(LIBRARIES.split(File.pathSeparator)).map(l -> Path.of(l).toUri().toString()).collect(Collectors.joining(" ")));
        Path app = jar(tmp.resolve("app.jar"), manifest, name -> true, List.of());
        Path dumps = runUnderAgent(java, tmp, List.of("-jar", app.toString()), "", "leak", LEAK_CALLS);
        assertFlaggedAndBlamedOn(dumps, "FileMonitor.java", "// LEAK:");
    }

    /**
     * A shaded jar ({@code java -jar app.jar} holding Netty's classes, as maven-shade makes it): a listed library
     * is never own code, even inside the main jar.
     */
    @ParameterizedTest(name = "on {0}")
    @MethodSource("jdks")
    void aListedLibraryInsideTheMainJarIsNotOwnCode(Path java, @TempDir Path tmp) throws Exception {
        List<String> netty = Stream.of(LIBRARIES.split(File.pathSeparator)).filter(l -> Path.of(l).getFileName().toString().startsWith("netty-")).toList();
        Path app = jar(tmp.resolve("app.jar"), manifest("NettyClient"), name -> true, netty);
        Path dumps = runUnderAgent(java, tmp, List.of("-jar", app.toString()), "", "leak", LEAK_CALLS);
        String stack = assertFlaggedAndBlamedOn(dumps, "NettyClient.java", "// LEAK:");
        assertThat(stack).as("Netty's frames, passed over").contains("\tat io.netty.bootstrap.Bootstrap.connect(Bootstrap.java:");
    }

    static Stream<Path> jdks() {
        return Child.jdks().stream();
    }

    /**
     * {@code -cp app.jar:watcher.jar:<libraries> FileMonitor}: the helper FileMonitor.Watcher in watcher.jar, the rest of the
     * corpus in app.jar; both jars written to {@code dir}.
     */
    private static List<String> ownCodeInTwoJars(Path dir) throws IOException {
        Predicate<String> watcher = name -> name.startsWith("dev/threadleak/corpus/FileMonitor$Watcher");
        Path appJar = jar(dir.resolve("app.jar"), new Manifest(), watcher.negate(), List.of());
        Path watcherJar = jar(dir.resolve("watcher.jar"), new Manifest(), watcher, List.of());
        return List.of("-cp", String.join(File.pathSeparator, appJar.toString(), watcherJar.toString(), LIBRARIES), "dev.threadleak.corpus.FileMonitor");
    }

    private static Manifest manifest(String program) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "dev.threadleak.corpus." + program);
        return manifest;
    }

    /** Writes a jar of the corpus classes whose entry names {@code take} accepts and the classes of {@code libraries} (shaded in, without their META-INF). */
    private static Path jar(Path jar, Manifest manifest, Predicate<String> take, List<String> libraries) throws IOException {
        Path classes = Path.of(CLASSES);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = classes.relativize(f).toString().replace(File.separatorChar, '/');
                if (take.test(name)) add(out, name, Files.readAllBytes(f));
            }
            for (String library : libraries) {
                try (JarFile in = new JarFile(library)) {
                    for (JarEntry e : Collections.list(in.entries())) {
                        if (!e.isDirectory() && !e.getName().startsWith("META-INF/")) add(out, e.getName(), in.getInputStream(e).readAllBytes());
                    }
                }
            }
        }
        return jar;
    }

    private static void add(JarOutputStream jar, String name, byte[] content) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(content);
        jar.closeEntry();
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

    /** Runs a corpus program from its class-path directory: {@code -cp <classes>:<libraries> dev.threadleak.corpus.<program>}. */
    private static Path runUnderAgent(Path java, Path tmp, String program, String use, int calls) throws Exception {
        return runUnderAgent(java, tmp, List.of("-cp", CLASSES + File.pathSeparator + LIBRARIES, "dev.threadleak.corpus." + program), "", use, calls);
    }

    /**
     * Runs {@code java <launch> leak|correct calls} (launch: how the program is started, {@code -cp ... Main} or
     * {@code -jar app.jar}) under the agent (its options and {@code moreOptions}) to its end; its exit dump is in
     * the returned directory, {@code dumps} in {@code tmp}.
     */
    private static Path runUnderAgent(Path java, Path tmp, List<String> launch, String moreOptions, String use, int calls) throws Exception {
        Path dumps = tmp.resolve("dumps");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-javaagent:" + Child.AGENT_JAR + "=dir=" + dumps + "," + OPTIONS + moreOptions));
        command.addAll(launch);
        command.addAll(List.of(use, Integer.toString(calls)));
        Child child = Child.run(command);
        assertThat(child.exitCode()).as(child.stderr()).isZero();
        assertThat(child.stdout()).isEqualTo("calls done\n");
        return dumps;
    }
}
