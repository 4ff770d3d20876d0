package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.junit.Child.Jdk;
import dev.threadleak.junit.Child.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The extension as a user meets it: fixture classes (under {@code fixtures}) run by the JUnit Platform launcher in
 * a child JVM, on JDK 17 and 25, with the real agent jar and without it; assertions on the failures JUnit reports.
 */
class ExtensionIT {
    private static final String SERIAL_FIXTURES = "ClassScopeFixture PerTestFixture WarnFixture InterruptFixture IgnoresFixture"
            + " ExecutorFixture VirtualFixture AutoDetectedFixture";
    private static final List<String> PARALLEL = List.of("junit.jupiter.execution.parallel.enabled=true",
            "junit.jupiter.execution.parallel.mode.default=concurrent", "junit.jupiter.execution.parallel.mode.classes.default=concurrent",
            "junit.jupiter.execution.parallel.config.strategy=fixed", "junit.jupiter.execution.parallel.config.fixed.parallelism=4",
            "ParallelLeakyFixture", "ParallelCleanFixture");
    /** Runs shared by several tests, each run once (tests run concurrently). */
    private static final Map<String, CompletableFuture<Child>> RUNS = new ConcurrentHashMap<>();

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (Jdk jdk : Child.jdks()) {
            out.add(Arguments.of(jdk, true));
            out.add(Arguments.of(jdk, false));
        }
        return out.stream();
    }

    static Stream<Jdk> jdks() {
        return Child.jdks().stream();
    }

    /**
     * One child JVM per JDK and agent setting runs every serial fixture; each test reads its part. With the agent,
     * extension autodetection is on (AutoDetectedFixture fails only then); without it, self-attach is asked for with
     * no agent jar there (the check goes on without the agent).
     */
    private static Child serial(Jdk jdk, boolean agent) {
        List<String> args = new ArrayList<>(List.of(SERIAL_FIXTURES.split(" ")));
        if (agent) args.addAll(List.of("junit.jupiter.extensions.autodetection.enabled=true", "threadleak.settle.millis=200"));
        List<String> jvm = agent ? List.of() : List.of("-Dthreadleak.attach=true", "-Dthreadleak.agentJar=/nonexistent/threadleak-agent.jar");
        return once("serial " + jdk + " " + agent, () -> Child.fixtures(jdk, agent, jvm, args.toArray(String[]::new)));
    }

    private static Child once(String key, Supplier<Child> run) {
        CompletableFuture<Child> mine = new CompletableFuture<>();
        CompletableFuture<Child> first = RUNS.putIfAbsent(key, mine);
        if (first != null) return first.join();
        try {
            mine.complete(run.get());
        } catch (Throwable t) {
            mine.completeExceptionally(t);
        }
        return mine.join();
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void classScopeFailsTheClassAndNamesTheLineAndTheTest(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        assertThat(child.result("ClassScopeFixture.leaks").status()).isEqualTo("SUCCESSFUL");
        Result cls = child.result("ClassScopeFixture");
        assertThat(cls.status()).isEqualTo("FAILED");
        // alive at the check's first look, it ended while the check waited out its settle time
        assertThat(cls.text()).doesNotContain("ends-soon");
        assertThat(cls.text()).startsWith("dev.threadleak.junit.ThreadLeakError: 1 thread leaked by class ClassScopeFixture"
                + " (alive after it, not before it; still running after 300 ms)\n\n");
        String block = block(cls.text(), "class-leak");
        assertThat(block).matches("(?s)\"class-leak\" #\\d+ platform daemon WAITING \\(parked on java.util.concurrent.CountDownLatch\\$Sync\\).*")
                .contains("\n        at dev.threadleak.junit.fixtures.Threads.awaitNever(Threads.java:");
        if (agent) {
            assertThat(block).contains("\n    created at: " + Child.site("ClassScopeFixture", "leaks", "class-leak"))
                    .contains("\n    started by: test ClassScopeFixture.leaks() (thread \"main\" #")
                    .contains("\n    creation stack:\n        at " + Child.site("ClassScopeFixture", "leaks", "class-leak"));
            assertThat(cls.text()).doesNotContain(LeakReport.NO_AGENT);
        } else {
            // without the agent the per-test baseline still tells which test started it
            assertThat(block).contains("\n    started by: test ClassScopeFixture.leaks()\n").doesNotContain("created at");
            assertThat(cls.text()).endsWith(LeakReport.NO_AGENT + "\n");
        }
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void testScopeFailsTheTestThatLeakedEvenWhenItFailedItself(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        Result leaks = child.result("PerTestFixture.leaks");
        assertThat(leaks.status()).isEqualTo("FAILED");
        assertThat(leaks.text()).startsWith("dev.threadleak.junit.ThreadLeakError: 1 thread leaked by test PerTestFixture.leaks()")
                .contains("\"test-leak\" #");
        if (agent) assertThat(leaks.text()).contains("created at: " + Child.site("PerTestFixture", "leaks", "test-leak"));
        assertThat(child.result("PerTestFixture.clean").status()).isEqualTo("SUCCESSFUL");

        Result fails = child.result("PerTestFixture.failsAndLeaks");
        assertThat(fails.status()).isEqualTo("FAILED");
        assertThat(fails.text()).startsWith("org.opentest4j.AssertionFailedError: the test's own failure\n"
                + "suppressed dev.threadleak.junit.ThreadLeakError: 1 thread leaked by test PerTestFixture.failsAndLeaks()")
                .contains("\"failing-leak\" #");
        // each leak is reported once: the class's own check does not repeat the tests'
        assertThat(child.result("PerTestFixture").status()).isEqualTo("SUCCESSFUL");
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void warnPrintsTheLeakAndPasses(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        assertThat(child.result("WarnFixture").status()).isEqualTo("SUCCESSFUL");
        assertThat(child.stderr()).contains("[threadleak] warning: 1 thread leaked by class WarnFixture").contains("\"warned-leak\" #");
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void failAndInterruptStopsTheLeakedThreadsAndSaysWhichDidNotEnd(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        Result leaks = child.result("InterruptFixture.leaks");
        assertThat(leaks.status()).isEqualTo("FAILED");
        assertThat(leaks.text()).startsWith("dev.threadleak.junit.ThreadLeakError: 2 threads leaked by test InterruptFixture.leaks()")
                .contains("\ninterrupted the leaked threads: 1 ended, still running after 300 ms: \"stubborn-leak\"\n");
        assertThat(child.result("InterruptFixture.afterwards").status()).isEqualTo("SUCCESSFUL");
        assertThat(child.result("InterruptFixture").status()).isEqualTo("SUCCESSFUL");
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void ignoresByNameCurrentFrameAndCreationFrameMergedOverTheHierarchy(Jdk jdk, boolean agent) {
        Result cls = serial(jdk, agent).result("IgnoresFixture");
        assertThat(cls.status()).isEqualTo("FAILED");
        assertThat(cls.text()).contains("\"not-ignored\" #").doesNotContain("\"named-1\"").doesNotContain("\"running-1\"");
        if (agent) {
            assertThat(cls.text()).contains("1 thread leaked by class IgnoresFixture").doesNotContain("\"started-1\"");
        } else {
            // the creation stack is known only with the agent
            assertThat(cls.text()).contains("2 threads leaked by class IgnoresFixture").contains("\"started-1\" #");
        }
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void poolWorkersNameTheirExecutorsConstructionSiteAndShutdown(Jdk jdk, boolean agent) {
        Result cls = serial(jdk, agent).result("ExecutorFixture");
        assertThat(cls.status()).isEqualTo("FAILED");
        assertThat(cls.text()).contains("2 threads leaked by class ExecutorFixture");
        String pool = block(cls.text(), "pool-leak"), stuck = block(cls.text(), "stuck-leak");
        if (agent) {
            assertThat(pool).contains("\n    pool of:    ThreadPoolExecutor built at "
                    + Child.site("ExecutorFixture", "leaksAPool", "pool") + ", never shut down\n")
                    .contains("\n    started by: test ExecutorFixture.leaksAPool() (thread \"main\" #");
            assertThat(stuck).contains("\n    pool of:    ThreadPoolExecutor built at "
                    + Child.site("ExecutorFixture", "shutsDownAPoolWhoseTaskNeverEnds", "stuck-pool") + ", shut down\n");
            // every pool's worker has the JDK's Worker as its sampling key: each is placed at its own test's line, never
            // at the line of a pool an earlier test built
            assertThat(pool).contains("\n    created at: " + Child.site("ExecutorFixture", "leaksAPool", "pool-start") + "\n");
            assertThat(stuck).contains("\n    created at: " + Child.site("ExecutorFixture", "shutsDownAPoolWhoseTaskNeverEnds", "stuck-start") + "\n");
        } else {
            assertThat(pool).doesNotContain("pool of:");
        }
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void virtualThreadsAreSeenWithTheAgent(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        if (jdk.feature() < 21) {
            assertThat(child.result("VirtualFixture.leaksAVirtualThread").status()).isEqualTo("ABORTED");
            return;
        }
        Result cls = child.result("VirtualFixture");
        if (!agent) {
            // Thread enumeration does not list virtual threads: without the agent this leak goes unseen
            assertThat(cls.status()).isEqualTo("SUCCESSFUL");
            return;
        }
        assertThat(cls.status()).isEqualTo("FAILED");
        assertThat(block(cls.text(), "virtual-leak"))
                .matches("(?s)\"virtual-leak\" #\\d+ virtual daemon WAITING \\(parked on java.util.concurrent.CountDownLatch\\$Sync\\).*")
                .contains("\n    created at: " + Child.site("VirtualFixture", "leaksAVirtualThread", "virtual"))
                .contains("\n    started by: test VirtualFixture.leaksAVirtualThread() (thread \"main\" #");
    }

    @ParameterizedTest(name = "{0}, agent {1}")
    @MethodSource("runs")
    void autodetectionChecksEveryClassOnce(Jdk jdk, boolean agent) {
        Child child = serial(jdk, agent);
        Result auto = child.result("AutoDetectedFixture");
        if (!agent) {
            assertThat(auto.status()).isEqualTo("SUCCESSFUL"); // autodetection is off in this run: not registered
            return;
        }
        assertThat(auto.status()).isEqualTo("FAILED");
        assertThat(auto.text()).startsWith("dev.threadleak.junit.ThreadLeakError: 1 thread leaked by class AutoDetectedFixture"
                + " (alive after it, not before it; still running after 200 ms)").contains("\"auto-leak\" #");
        // registered twice (annotation and autodetection), the extension still checks once
        assertThat(child.result("ClassScopeFixture").text()).contains("1 thread leaked by class ClassScopeFixture").doesNotContain("suppressed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void parallelTestsAreChargedOnlyForThreadsTheirThreadStarted(Jdk jdk) {
        Child child = Child.fixtures(jdk, true, List.of(), PARALLEL.toArray(String[]::new));
        Result leaky = child.result("ParallelLeakyFixture.leaksThroughAThreadItStarted");
        assertThat(leaky.status()).isEqualTo("FAILED");
        assertThat(leaky.text()).startsWith("dev.threadleak.junit.ThreadLeakError: 2 threads leaked by test"
                + " ParallelLeakyFixture.leaksThroughAThreadItStarted()");
        Matcher parent = Pattern.compile("\"parent-leak\" #(\\d+)").matcher(leaky.text());
        assertThat(parent.find()).isTrue();
        assertThat(block(leaky.text(), "child-leak"))
                .contains("ParallelLeakyFixture.java:" + Child.line("ParallelLeakyFixture", "child") + ")")
                .contains("\n    started by: test ParallelLeakyFixture.leaksThroughAThreadItStarted() (thread \"parent-leak\" #" + parent.group(1) + ")");
        // it ran while the leak happened, on another thread: not its leak
        assertThat(child.result("ParallelCleanFixture.runsWhileTheOtherLeaks").status()).isEqualTo("SUCCESSFUL");
        assertThat(child.result("ParallelCleanFixture").status()).isEqualTo("SUCCESSFUL");
        assertThat(child.result("ParallelLeakyFixture").status()).isEqualTo("SUCCESSFUL");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void parallelWithoutTheAgentChecksPerClassAndOnlyWarnsWhenClassesOverlapped(Jdk jdk) {
        Child child = Child.fixtures(jdk, false, List.of(), PARALLEL.toArray(String[]::new));
        assertThat(child.results().values()).extracting(Result::status).containsOnly("SUCCESSFUL");
        assertThat(child.results()).hasSize(4);
        assertThat(child.stderr()).contains("[threadleak] parallel execution without the threadleak agent: leaks are checked per class,")
                .contains("[threadleak] warning: 2 threads leaked by class Parallel")
                .contains("\"parent-leak\" #").contains("\"child-leak\" #")
                .contains("(other test classes ran at the same time and the threadleak agent is not loaded: these threads may be theirs)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void selfAttachLoadsTheAgentAtTheFirstCheck(Jdk jdk) {
        Child child = Child.fixtures(jdk, false, List.of("-Dthreadleak.attach=true", "-Dthreadleak.agentJar=" + Child.AGENT_JAR), "ClassScopeFixture");
        Result cls = child.result("ClassScopeFixture");
        assertThat(cls.status()).isEqualTo("FAILED");
        assertThat(cls.text()).contains("\n    created at: " + Child.site("ClassScopeFixture", "leaks", "class-leak"));
        if (jdk.feature() >= 21) assertThat(child.stderr()).contains("WARNING: A Java agent has been loaded dynamically");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void selfAttachWithoutAnAgentJarSaysSoOnceAndStillChecks(Jdk jdk) {
        Child child = serial(jdk, false);
        assertThat(child.result("ClassScopeFixture").text()).contains("\"class-leak\" #").contains(LeakReport.NO_AGENT);
        assertThat(child.stderr()).containsOnlyOnce("[threadleak] cannot self-attach: no agent jar at /nonexistent/threadleak-agent.jar"
                + " (set -Dthreadleak.agentJar=path/to/threadleak-agent.jar)\n");
    }

    /** One thread's block of a failure message: from its header to the next blank line. */
    static String block(String text, String thread) {
        int from = text.indexOf("\"" + thread + "\" #");
        assertThat(from).as("thread %s in:\n%s", thread, text).isGreaterThanOrEqualTo(0);
        int to = text.indexOf("\n\n", from);
        return to < 0 ? text.substring(from) : text.substring(from, to + 1);
    }
}
