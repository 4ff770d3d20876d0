package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad options stop the JVM before main with one line naming the option; good ones take effect. */
class OptionsIT {
    private static final String HELLO = "dev.threadleak.samples.Hello";
    private static final String KNOWN = "(known: dir, interval, keep, depth, app, sample, blocked, window, growth, duplicates, sites, starts, submissions, threads, http, token, secrets, health.live, health.delta, health.longBlocked, log)";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    static Stream<Arguments> badOptions() {
        List<String[]> cases = List.of(
                new String[] {"intervl=30s", "threadleak: unknown option 'intervl' " + KNOWN},
                new String[] {"dir", "threadleak: option 'dir' has no '=' (expected key=value; known: dir, interval, keep, depth, app, sample, blocked, window, growth, duplicates, sites, starts, submissions, threads, http, token, secrets, health.live, health.delta, health.longBlocked, log)"},
                new String[] {"interval=30", "threadleak: bad value for interval: '30' (expected a duration like 500ms, 30s, 5m, 1h, or 0 for off)"},
                new String[] {"interval=50ms", "threadleak: bad value for interval: '50ms' (at least 100ms, or 0 for off)"},
                new String[] {"keep=0", "threadleak: bad value for keep: '0' (expected a whole number from 1 to 100000)"},
                new String[] {"depth=abc", "threadleak: bad value for depth: 'abc' (expected a whole number from 1 to 1024)"},
                new String[] {"app=com..acme", "threadleak: bad value for app: 'com..acme' is not a package name (expected e.g. app=com.acme,org.example)"},
                new String[] {"keep=3,keep=4", "threadleak: option 'keep' given twice"},
                new String[] {"http=example.com:9464", "threadleak: bad value for http: 'example.com:9464' (the address must be an IP address or localhost)"},
                new String[] {"token=/nonexistent", "threadleak: option 'token' needs 'http' (the token guards the HTTP endpoint)"},
                new String[] {"secrets=hide", "threadleak: bad value for secrets: 'hide' (expected mask or show)"},
                new String[] {"http=9464,health.live=0", "threadleak: bad value for health.live: '0' (expected a whole number from 1 to 100000000)"},
                new String[] {"http=9464,health.longBlocked=-1", "threadleak: bad value for health.longBlocked: '-1' (expected a whole number from 0 to 100000000)"},
                new String[] {"health.delta=50", "threadleak: option 'health.delta' needs 'http' (it is a threshold of the endpoint's /health)"});
        List<Arguments> out = new ArrayList<>();
        for (Jdk jdk : ChildJvm.jdks()) {
            for (String[] c : cases) out.add(Arguments.of(jdk, c[0], c[1]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badOptions")
    void aBadOptionStopsTheJvmBeforeMainWithOneLine(Jdk jdk, String options, String expectedLine) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent(options)), "-cp", ChildJvm.SAMPLES_CP, HELLO);
        assertThat(run.stdout()).as("main must not run").isEmpty();
        assertThat(ChildJvm.lines(run.stderr())).containsExactly(expectedLine);
        assertThat(run.exitCode()).isNotZero();
    }

    /** {@code dir=/tmp/d, interval = 0}: spaces around ',' and '=' belong to no key or value. Before: a directory named "d, interval = 0". */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void spacesAroundCommasAndEqualsSignsAreNotPartOfTheDirectory(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("d");
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ", interval = 0")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.ManyParked", "1");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(ChildJvm.dumps(dir)).as("the exit dump, in the dir as given").hasSize(1);
        assertThat(java.nio.file.Files.list(dir.getParent()).map(p -> p.getFileName().toString()).toList()).containsExactly("d");
    }

    /**
     * An interval too long to count in nanoseconds passes the parser today and then kills the agent's
     * thread with an ArithmeticException stack trace (no more draining or dumps). It must be refused at
     * launch like any other bad value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anIntervalTooLongToCountIsRefusedAtLaunch(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=999999999h")), "-cp", ChildJvm.SAMPLES_CP, HELLO);
        assertThat(ChildJvm.lines(run.stderr())).hasSize(1).allMatch(l -> l.startsWith("threadleak: bad value for interval: '999999999h'"));
        assertThat(run.stdout()).isEmpty();
        assertThat(run.exitCode()).isNotZero();
    }

    /**
     * A token file that is a FIFO or a device is one line at launch, exit 1, like any bad option. Before: a FIFO hung
     * the JVM's start for good (opening it waits for a writer); /dev/zero with -Xmx64m ran out of memory in premain,
     * then "FATAL ERROR in native method: processing of -javaagent failed" and SIGABRT (exit 134).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aTokenFileThatIsAFifoOrADeviceIsOneLineAndTheJvmExitsPromptly(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("token");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        String http = "http=127.0.0.1:" + HttpIT.freePort();
        assertRefusedPromptly(jdk, List.of(ChildJvm.agent(http + ",token=" + fifo)),
                "threadleak: bad value for token: '" + fifo + "' is not a regular file (a FIFO)");
        assertRefusedPromptly(jdk, List.of("-Xmx64m", ChildJvm.agent(http + ",token=/dev/zero")),
                "threadleak: bad value for token: '/dev/zero' is not a regular file (a character device)");
    }

    private static void assertRefusedPromptly(Jdk jdk, List<String> jvmArgs, String expectedLine) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, jvmArgs, "-cp", ChildJvm.SAMPLES_CP, HELLO)) {
            ChildJvm.await("the JVM refused at launch to exit", Duration.ofSeconds(20), () -> !child.isAlive());
            int code = child.waitFor();
            assertThat(child.stdout()).as("main must not run").isEmpty();
            assertThat(ChildJvm.lines(child.stderr())).as("no FATAL ERROR, no stack trace").containsExactly(expectedLine);
            assertThat(code).as("1 as for any bad option, not 134 (SIGABRT)").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void depthCutsEverySiteStackAndMarksItTruncated(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",depth=3")),
                "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.ExecutorPerRequest", "1");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        Snapshot dump = ChildJvm.newestDump(dir);
        assertThat(dump.sites()).isNotEmpty().allSatisfy(s -> {
            // cut at depth, except that the blame frame is always kept
            assertThat(s.stack()).as("site %d", s.id()).hasSizeLessThanOrEqualTo(Math.max(3, s.blame() + 1));
            if (s.stack().size() < 3) assertThat(s.truncated()).as("site %d is whole", s.id()).isFalse();
        });
        // the pool workers' creation stack runs from the pool through submit() to handleRequest and main:
        // cut after handleRequest, the blame frame, which lies deeper than 3 frames
        ThreadEntry worker = dump.threads().stream().filter(t -> t.name().equals("pool-1-thread-1")).findFirst().orElseThrow();
        SiteInfo site = dump.site(worker.site());
        assertThat(site.blameFrame().method()).isEqualTo("handleRequest");
        assertThat(site.stack()).hasSize(site.blame() + 1).hasSizeGreaterThan(3);
        assertThat(site.truncated()).isTrue();
        assertThat(site.stack().get(0).className()).startsWith("java.");
    }
}
