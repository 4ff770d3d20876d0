package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.apps.OddThreadNames;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent never takes its host down, whatever the host goes through. */
class HostSafetyIT {
    /** A line of the JVM's unified logging with its default decorations: {@code [3.0s][error][jfr,system] ...}. */
    private static final Pattern JVM_LOG_LINE = Pattern.compile("\\[[0-9.]+s\\]\\[\\w+\\]\\[.*");

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /**
     * Out of memory for 6 s, then 20,000 thread starts from a deep stack: the agent's drain thread survives the
     * OutOfMemoryError (so starts keep draining), and even without it the records waiting for it are bounded. Before:
     * the host died. The child takes about 15 s alone, but over a minute on two cores shared with the test run's
     * concurrent class (RegistryBoundIT), with the agent or without: hence its deadline.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anOutOfMemoryErrorDoesNotMakeThreadStartsPileUp(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(Duration.ofMinutes(3), jdk, List.of("-Xmx32m", "-Xss256k", "-XX:+UseSerialGC",
                        ChildJvm.agent("dir=" + dir + ",interval=1s,sample=100ms")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.OutOfMemoryThenManyThreads", "3000", "6000", "20000");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        // the JVM's own log lines may appear, on stdout by default (JFR on JDK 25 under OOM: "[20.7s][error][jfr,system] Java heap space")
        assertThat(ChildJvm.lines(run.stdout())).filteredOn(line -> !JVM_LOG_LINE.matcher(line).matches()).containsExactly("done");
        // the JDK's class-load hook is off once the hooks are in: no "can't create name string" under OOM
        assertThat(run.stderr()).doesNotContain("ASSERTION FAILED").doesNotContain("Exception in thread");
        // the agent says at most what failed
        for (String line : ChildJvm.lines(run.stderr())) assertThat(line).matches("\\[threadleak\\] .*|" + JVM_LOG_LINE.pattern());

        Snapshot exit = ChildJvm.newestDump(dir);
        assertThat(exit.summary().agentStarted() + exit.summary().startsDropped()).isGreaterThanOrEqualTo(23_000);
        assertThat(exit.summary().agentStarted()).as("the agent kept recording after the OOM").isGreaterThanOrEqualTo(20_000);
    }

    /**
     * After set-up, dumps load no class: out of memory, a class whose initializer fails is unusable for the JVM's
     * life, so a dump that needed a new one then would fail for good. Before: the first periodic dump loaded
     * Jackson's writer and file-system classes, and an OutOfMemoryError in the host at that moment stopped every
     * dump (CI: the test above found no dump at all).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void dumpsAfterSetUpLoadNoClass(Jdk jdk, @TempDir Path dir) throws Exception {
        // JDK 22 and later say which Java stack loaded each class: the window is then judged by who loaded what (the JDK's
        // own threads, its Cleaner among them, load classes when they will); on JDK 17, strictly, any class at all
        boolean causes = jdk.feature() >= 22;
        List<String> logging = causes ? List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:LogClassLoadingCauseFor=*", "-Xlog:class+load=info,class+load+cause=info:stdout")
                : List.of("-Xlog:class+load=info:stdout");
        List<String> jvmArgs = new java.util.ArrayList<>(logging);
        jvmArgs.add(ChildJvm.agent("dir=" + dir + ",interval=1s,sample=100ms"));
        Finished run = ChildJvm.run(jdk, jvmArgs, "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.DumpsAfterSetUp", dir.toString(), "2");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        List<String> out = ChildJvm.lines(run.stdout());
        assertThat(out).contains("set up", "dumped");
        assertThat(ChildJvm.dumps(dir)).hasSizeGreaterThanOrEqualTo(2);
        List<String> window = out.subList(out.indexOf("set up") + 1, out.indexOf("dumped"));
        if (!causes) {
            assertThat(window).as("classes loaded by the first dumps").isEmpty();
            return;
        }
        // each load's Java stack follows "Java stack when loading <class>:", a frame a line
        List<String> byTheAgent = new java.util.ArrayList<>();
        String loading = null;
        for (String line : window) {
            int at = line.indexOf("Java stack when loading ");
            if (at >= 0) loading = line.substring(at + "Java stack when loading ".length());
            else if (loading != null && line.contains("\tat dev.threadleak.agent.")) {
                byTheAgent.add(loading + " (" + line.strip() + ")");
                loading = null;
            }
        }
        assertThat(byTheAgent).as("classes the agent's code loaded in the first dumps, among: %s", window.stream().filter(l -> l.contains("[class,load] ")).toList())
                .isEmpty();
    }

    /** Another agent retransforms Thread after threadleak hooked it: the hook stays, with no transformer of ours. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theHooksSurviveAnotherAgentRetransformingThreadAndTheExecutors(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading",
                        ChildJvm.agent("dir=" + dir + ",interval=0")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.RetransformsThread");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("started\n");
        assertThat(run.stderr()).isEmpty();
        Snapshot exit = ChildJvm.newestDump(dir);
        ThreadEntry t = exit.threads().stream().filter(e -> e.name().equals("after-retransform")).findFirst().orElseThrow();
        assertThat(t.origin()).isEqualTo(Origin.STARTED);
        assertThat(exit.site(t.site()).blameFrame().className()).isEqualTo("dev.threadleak.agent.it.apps.RetransformsThread");
        assertThat(exit.site(t.site()).blameFrame().line()).isEqualTo(ChildJvm.appLineOf("RetransformsThread.java", "// SITE:"));
        int poolLine = ChildJvm.appLineOf("RetransformsThread.java", "// POOL:");
        assertThat(exit.executors()).as("the pool built after the retransformation: constructor and submission hooks in place")
                .filteredOn(e -> e.site() >= 0 && exit.site(e.site()).blameFrame().line() == poolLine)
                .singleElement().satisfies(e -> {
                    assertThat(e.kind()).isEqualTo("java.util.concurrent.ThreadPoolExecutor");
                    assertThat(e.submitted()).isEqualTo(1);
                });
    }

    /**
     * JDK 25's AOT cache is made by a training run ({@code -XX:AOTCacheOutput}) that may carry the agent. The JDK's
     * dumper cannot archive a redefined {@code Thread}: before, such a run crashed as it exited (SIGSEGV, exit 134, no
     * cache). Now the agent leaves a JVM that writes an archive unhooked and says so; the run that uses the cache is
     * hooked as usual.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aTrainingRunThatWritesAnAotCacheIsNotHookedAndEndsNormally(Jdk jdk, @TempDir Path dir) throws Exception {
        assumeTrue(jdk.feature() >= 25, "AOT caches by -XX:AOTCacheOutput come with JDK 25");
        Path cache = dir.resolve("app.aot");
        Finished training = ChildJvm.run(jdk, List.of("-XX:AOTCacheOutput=" + cache, ChildJvm.agent("dir=" + dir.resolve("d") + ",interval=0")),
                "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.Hello");
        assertThat(training.exitCode()).as("stderr: %s", training.stderr()).isZero();
        assertThat(training.stdout()).contains("hello");
        assertThat(ChildJvm.lines(training.stderr())).filteredOn(l -> l.startsWith("[threadleak]")).containsExactly(
                "[threadleak] this JVM is writing a CDS archive or an AOT cache, which cannot hold a redefined Thread: not hooked,"
                        + " so this run records no thread creation sites (a run that uses the cache is hooked as usual)");
        assertThat(cache).isNotEmptyFile();

        Finished production = ChildJvm.run(jdk, List.of("-XX:AOTCache=" + cache, "-Xlog:class+load",
                ChildJvm.agent("dir=" + dir.resolve("d") + ",interval=0")), "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.Hello");
        assertThat(production.exitCode()).as("stderr: %s", production.stderr()).isZero();
        assertThat(production.stderr()).doesNotContain("[threadleak]");
        assertThat(production.stdout()).as("the cache in use, and the hooks in").contains("hello", "java.lang.Thread source: shared objects file",
                "java.lang.Thread source: __VM_RedefineClasses__");
    }

    /**
     * 5,000 distinct creation stacks: the site table keeps at most {@code sites} (idle ones folded, their starts
     * still counted) and a dump lists only the sites of live threads and the most-started others. Before: every
     * site ever seen stayed in memory and in every dump (100,000 of them killed a 128 MiB host).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void distinctCreationStacksAreBoundedInMemoryAndInDumps(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of("-Xmx64m", ChildJvm.agent("dir=" + dir + ",interval=0,sites=1000")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ManySites", "5000");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("started 5000\n");
        assertThat(run.stderr()).isEmpty();
        Snapshot exit = ChildJvm.newestDump(dir);
        assertThat(exit.summary().startsDropped()).isZero();
        assertThat(exit.summary().agentStarted()).isGreaterThanOrEqualTo(5000);
        assertThat(exit.summary().agentStarted()).as("more starts recorded than the table keeps sites").isGreaterThan(1000);
        long listed = exit.sites().size();
        assertThat(listed).as("sites listed: live threads' and the 20 most-started").isLessThanOrEqualTo(20 + exit.threads().size());
        assertThat(exit.summary().sitesNotListed()).isGreaterThanOrEqualTo(exit.summary().agentStarted() - listed);
        ChildJvm.Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.stdout()).containsPattern("\\d+ more creation sites seen since the agent loaded, none with a live thread: not listed");
    }

    /**
     * A dump lists at most {@code threads} threads and counts the rest per group: 3,000 parked threads with
     * threads=1000. Before: every thread was listed (a million virtual threads made dumps of 320-344 MB).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aDumpListsAtMostItsThreadBudgetAndCountsTheRest(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of("-Xss256k", ChildJvm.agent("dir=" + dir + ",interval=0,threads=1000")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ManyParked", "3000");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("parked 3000\n");
        assertThat(run.stderr()).isEmpty();
        Snapshot exit = ChildJvm.newestDump(dir);
        assertThat(exit.threads()).hasSize(1000);
        assertThat(exit.summary().live()).isGreaterThanOrEqualTo(3000);
        long parkedListed = exit.threads().stream().filter(t -> t.name().startsWith("parked-")).count();
        SiteInfo site = exit.sites().stream().filter(s -> s.notListed() > 0).findFirst().orElseThrow();
        assertThat(parkedListed + site.notListed()).isEqualTo(3000);
        assertThat(exit.summary().threadsNotListed()).isEqualTo(site.notListed());
        ChildJvm.Result report = ChildJvm.cli("report", dir.toString());
        assertThat(report.stdout()).contains(site.notListed() + " live threads counted but not listed in this dump (at most 1000 are")
                .contains(parkedListed + " live (+" + site.notListed() + " not listed), 3000 started @ dev.threadleak.agent.it.apps.ManyParked.main(ManyParked.java:"
                        + ChildJvm.appLineOf("ManyParked.java", "// SITE:") + ")");
    }

    /** Any thread name works: NUL, control characters, a lone surrogate, 10,000 characters. Before: no dump at all, and report crashed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anyThreadNameIsDumpedExactlyAndReportedPrintably(Jdk jdk, @TempDir Path dir) throws Exception {
        // duplicates=2: the six parked threads make a DUPLICATE_STACKS finding, whose evidence folds their names
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=0,duplicates=2")),
                "-cp", ChildJvm.TEST_CP, OddThreadNames.class.getName());
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        Snapshot exit = ChildJvm.newestDump(dir);
        List<String> names = exit.threads().stream().map(ThreadEntry::name).toList();
        assertThat(names).contains(OddThreadNames.NAMES);

        for (String mode : List.of("--groups", "--threads")) {
            ChildJvm.Result report = mode.equals("--threads") ? ChildJvm.cli("report", "--threads", dir.toString()) : ChildJvm.cli("report", dir.toString());
            assertThat(report.exitCode()).as("%s stderr: %s", mode, report.stderr()).isZero();
            assertThat(report.stdout()).doesNotContain("\u0000", "\u001b", "\ud800");
            assertThat(report.stdout()).contains("nul\\u0000inside").doesNotContain("\n" + "break");
        }
    }

    /** JDK 17 with a SecurityManager: where the policy grants the agent's jar AllPermission the agent works (before: the JVM aborted). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void underASecurityManagerThatGrantsTheAgentItWorks(Jdk jdk, @TempDir Path dir) throws Exception {
        assumeTrue(jdk.feature() < 24, "the SecurityManager cannot be enabled from JDK 24 on (JEP 486)");
        Path policy = dir.resolve("agent.policy");
        Files.writeString(policy, "grant codeBase \"" + ChildJvm.AGENT_JAR.toUri() + "\" {\n  permission java.security.AllPermission;\n};\n");
        Path dumps = dir.resolve("dumps");
        Finished run = ChildJvm.run(jdk, List.of("-Djava.security.manager", "-Djava.security.policy=" + policy,
                ChildJvm.agent("interval=0,dir=" + dumps)), "-cp", ChildJvm.TEST_CP, OddThreadNames.class.getName());
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("started " + OddThreadNames.NAMES.length + "\n");
        assertThat(withoutJdkWarnings(run.stderr())).isEmpty();
        assertThat(ChildJvm.newestDump(dumps).threads()).extracting(ThreadEntry::name).contains(OddThreadNames.NAMES);
    }

    /** ... and where it does not, the application runs without it, after one line (before: the JVM aborted). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void underASecurityManagerThatDeniesTheAgentTheAppRunsAfterOneLine(Jdk jdk, @TempDir Path dir) throws Exception {
        assumeTrue(jdk.feature() < 24, "the SecurityManager cannot be enabled from JDK 24 on (JEP 486)");
        for (String options : List.of("", "interval=0,dir=" + dir)) {
            Finished run = ChildJvm.run(jdk, List.of("-Djava.security.manager", ChildJvm.agent(options)),
                    "-cp", ChildJvm.TEST_CP, OddThreadNames.class.getName());
            assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
            assertThat(run.stdout()).isEqualTo("started " + OddThreadNames.NAMES.length + "\n");
            assertThat(withoutJdkWarnings(run.stderr())).hasSize(1).first().asString()
                    .startsWith("[threadleak] not started: the SecurityManager's policy does not grant threadleak-agent.jar java.security.AllPermission");
        }
        assertThat(ChildJvm.dumps(dir)).isEmpty();
    }

    private static List<String> withoutJdkWarnings(String stderr) {
        return ChildJvm.lines(stderr).stream().filter(l -> !l.startsWith("WARNING: ")).toList();
    }
}
