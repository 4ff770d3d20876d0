package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.ChildJvm.Result;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@code threadleak report} on dumps of the leaky samples, as a user reads it. */
@Execution(ExecutionMode.CONCURRENT) // beside other classes: it reads the CLI's output, nothing timed
@ResourceLock("ReportIT") // its own cases one after another, as they share what its set-up made
class ReportIT {
    private static final String PKG = "dev.threadleak.samples.";
    /**
     * Sample → what its dumps must show before it is stopped: enough of its leak for the report to read (the
     * largest group's size, or a deadlock), however long the machine takes to get there.
     */
    private static final Map<String, Predicate<Snapshot>> SAMPLES = Map.of(
            "ExecutorPerRequest", d -> largestGroup(d) >= 10,
            "LockOrderDeadlock", d -> !d.deadlocks().isEmpty(),
            "TimerPerCall", d -> largestGroup(d) >= 5,
            "BlockedConsumers", d -> largestGroup(d) >= 5);
    private static final Map<String, Path> DUMP_DIRS = new HashMap<>();

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /**
     * The most threads one creation site has live. Only sites count: the JVM's own threads, started before the agent,
     * are one group of 5 or 6, and a sample that a loaded machine slowed would otherwise be stopped before its leak.
     */
    private static int largestGroup(Snapshot dump) {
        return SiteGroup.of(dump).stream().filter(g -> g.origin() == Origin.STARTED).mapToInt(g -> g.threads().size()).max().orElse(0);
    }

    /**
     * Runs every sample on every JDK at once (they mostly sleep), each with its own dump directory, a dump every
     * 500 ms; stops each (SIGTERM, as a service is stopped) once its newest dump shows its leak: its exit dump is
     * then the only one kept ({@code keep=1}) and what the tests read.
     */
    @BeforeAll
    static void runSamples(@TempDir Path base) throws Exception {
        Map<String, ChildJvm> running = new HashMap<>();
        try {
            for (Jdk jdk : jdks()) {
                for (String sample : SAMPLES.keySet()) {
                    Path dir = base.resolve(key(sample, jdk));
                    DUMP_DIRS.put(key(sample, jdk), dir);
                    running.put(key(sample, jdk), ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=500ms,keep=1")),
                            "-cp", ChildJvm.SAMPLES_CP, PKG + sample, "60"));
                }
            }
            for (Map.Entry<String, ChildJvm> r : running.entrySet()) {
                String sample = r.getKey().substring(0, r.getKey().indexOf('@'));
                Path dir = DUMP_DIRS.get(r.getKey());
                ChildJvm child = r.getValue();
                ChildJvm.await(r.getKey() + "'s leak in its dumps", Duration.ofSeconds(60), () -> {
                    List<Path> dumps = ChildJvm.dumps(dir);
                    return !dumps.isEmpty() && SAMPLES.get(sample).test(read(dumps.get(dumps.size() - 1)));
                });
                assertThat(child.stop()).as("%s stopped by SIGTERM; stderr: %s", r.getKey(), child.stderr()).isEqualTo(143);
                assertThat(child.stderr()).as(r.getKey()).isEmpty();
                assertThat(ChildJvm.dumps(dir)).as("the exit dump, the only one kept").hasSize(1);
            }
        } finally {
            running.values().forEach(ChildJvm::close);
        }
    }

    private static Snapshot read(Path dump) {
        try {
            return ChildJvm.readDump(dump);
        } catch (Exception e) {
            throw new AssertionError("reading " + dump, e);
        }
    }

    private static String key(String sample, Jdk jdk) {
        return sample + "@" + jdk.feature();
    }

    private static Path dir(String sample, Jdk jdk) {
        return DUMP_DIRS.get(key(sample, jdk));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void executorPerRequestIsOneGroupBlamedOnHandleRequest(Jdk jdk) throws Exception {
        int leak = ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:");
        String blame = PKG + "ExecutorPerRequest.handleRequest(ExecutorPerRequest.java:" + leak + ")";
        Result r = ChildJvm.cli("report", dir("ExecutorPerRequest", jdk).toString());
        assertThat(r.exitCode()).as("stderr: %s", r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        List<String> lines = ChildJvm.lines(r.stdout());
        assertThat(lines.get(0)).startsWith("threadleak report: " + dir("ExecutorPerRequest", jdk) + "/threadleak-");
        assertThat(lines.get(1)).matches("pid \\d+, java " + jdk.feature() + "[.\\d]*, dev.threadleak.samples.ExecutorPerRequest 60");
        assertThat(lines).anyMatch(l -> l.startsWith("thread profile: total "));

        List<String> group = firstGroup(lines);
        // pool workers are grouped where their executors were built, one executor (and worker) per request
        Matcher head = Pattern.compile("(\\d+) live, (\\d+) executors built @ (.*)").matcher(group.get(0));
        assertThat(head.matches()).as("group line: %s", group.get(0)).isTrue();
        int n = Integer.parseInt(head.group(1));
        assertThat(n).isGreaterThanOrEqualTo(10);
        // stopped mid-request: one executor may have been built after the exit dump listed the live workers
        assertThat(Integer.parseInt(head.group(2))).isBetween(n, n + 1);
        assertThat(head.group(3)).isEqualTo(blame);
        assertThat(group).contains("    names:  pool-*-thread-1");
        // every worker waits for its next task, except perhaps the newest, which may still be running its first
        assertThat(group.get(1)).matches("    states: (" + n + " WAITING|" + (n - 1) + " WAITING, 1 RUNNABLE)");
        assertThat(group).filteredOn(l -> l.startsWith("\tat ")).last().asString()
                .isEqualTo("\tat " + PKG + "ExecutorPerRequest.main(ExecutorPerRequest.java:" + ChildJvm.lineOf("ExecutorPerRequest.java", "Samples.serve(args") + ")");
        assertThat(group).filteredOn(l -> l.endsWith("<- blame")).containsExactly("\tat " + blame + "   <- blame");
    }

    /** The header's "started since the agent loaded" counts every site's starts and none of threadleak's own threads. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void startedSinceTheAgentLoadedLeavesOutThreadleaksOwnThreads(Jdk jdk) throws Exception {
        Path dir = dir("ExecutorPerRequest", jdk);
        List<String> lines = ChildJvm.lines(ChildJvm.cli("report", dir.toString()).stdout());
        Snapshot dump = ChildJvm.newestDump(dir);
        long sum = dump.sites().stream().filter(s -> s.kind().equals(SiteInfo.THREAD)).mapToLong(SiteInfo::started).sum();
        assertThat(dump.sites()).noneMatch(site -> site.stack().stream().anyMatch(f -> f.className().startsWith("dev.threadleak.agent.")));
        assertThat(dump.threads()).filteredOn(ThreadEntry::agentThread).extracting(ThreadEntry::name)
                .containsExactlyInAnyOrder("threadleak-agent", "threadleak-drain", "threadleak-exit-dump");
        String profile = lines.stream().filter(l -> l.startsWith("thread profile: total ")).findFirst().orElseThrow();
        assertThat(profile).contains("; " + sum + " started since the agent loaded;").contains("not counted: 3 threadleak threads");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aDumpFileGivesTheSameReportAsItsDirectory(Jdk jdk) throws Exception {
        Path dir = dir("ExecutorPerRequest", jdk);
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).hasSize(1);
        Result fromDir = ChildJvm.cli("report", dir.toString());
        Result fromFile = ChildJvm.cli("report", dumps.get(0).toString());
        assertThat(fromFile.exitCode()).isZero();
        assertThat(fromFile.stderr()).isEmpty();
        assertThat(fromFile.stdout()).isEqualTo(fromDir.stdout()).startsWith("threadleak report: " + dumps.get(0) + "\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void threadsViewShowsAPoolThreadLikeJstackWithItsCreator(Jdk jdk) throws Exception {
        int leak = ChildJvm.lineOf("ExecutorPerRequest.java", "// LEAK:");
        Result r = ChildJvm.cli("report", "--threads", dir("ExecutorPerRequest", jdk).toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.stderr()).isEmpty();
        List<String> block = block(ChildJvm.lines(r.stdout()), "\"pool-1-thread-1\" #");
        assertThat(block.get(0)).matches("\"pool-1-thread-1\" #\\d+ prio=5 elapsed=\\d+\\.\\d\\ds");
        assertThat(block.get(1)).isEqualTo("   java.lang.Thread.State: WAITING (parking)");
        assertThat(block.get(2)).isEqualTo("\tat jdk.internal.misc.Unsafe.park(Native Method)");
        assertThat(block.get(3)).matches("\t- parking to wait for  <0x[0-9a-f]+> \\(a java\\.util\\.concurrent\\.locks\\.AbstractQueuedSynchronizer\\$ConditionObject\\)");
        assertThat(block).contains("\tat java.util.concurrent.ThreadPoolExecutor.getTask(ThreadPoolExecutor.java:" + block.stream()
                .filter(l -> l.contains("ThreadPoolExecutor.getTask(")).findFirst().orElse("?").replaceAll(".*:(\\d+)\\)$", "$1") + ")");
        assertThat(block.get(block.size() - 1)).matches(Pattern.quote("   created by " + PKG + "ExecutorPerRequest.handleRequest(ExecutorPerRequest.java:"
                + leak + ") in thread \"main\" #" + mainTid(ChildJvm.lines(r.stdout()), jdk) + ", age ") + "\\d.*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void threadsViewShowsTheDeadlockedTransfersAndTheirLocks(Jdk jdk) throws Exception {
        Result r = ChildJvm.cli("report", "--threads", dir("LockOrderDeadlock", jdk).toString());
        assertThat(r.exitCode()).isZero();
        List<String> lines = ChildJvm.lines(r.stdout());
        int deadlockLine = ChildJvm.lineOf("LockOrderDeadlock.java", "// DEADLOCK:");
        int leak = ChildJvm.lineOf("LockOrderDeadlock.java", "// LEAK:");
        Map<String, String> waitsFor = new HashMap<>();
        Map<String, String> holds = new HashMap<>();
        for (String name : List.of("transfer-1", "transfer-2")) {
            String other = name.equals("transfer-1") ? "transfer-2" : "transfer-1";
            List<String> block = block(lines, "\"" + name + "\" #");
            assertThat(block.get(1)).isEqualTo("   java.lang.Thread.State: BLOCKED (on object monitor)");
            // HotSpot reports a thread blocked entering `synchronized (to)` at that line or the next one
            // (the bci after monitorenter), as jstack does too
            assertThat(block.get(2)).isIn("\tat " + PKG + "LockOrderDeadlock.transfer(LockOrderDeadlock.java:" + deadlockLine + ")",
                    "\tat " + PKG + "LockOrderDeadlock.transfer(LockOrderDeadlock.java:" + (deadlockLine + 1) + ")");
            Matcher waiting = Pattern.compile("\t- waiting to lock (<0x[0-9a-f]+>) \\(a dev\\.threadleak\\.samples\\.Account\\) owned by \"" + other + "\" #\\d+")
                    .matcher(block.get(3));
            assertThat(waiting.matches()).as("line: %s", block.get(3)).isTrue();
            waitsFor.put(name, waiting.group(1));
            List<String> locked = block.stream().filter(l -> l.startsWith("\t- locked ")).toList();
            assertThat(locked).as("%s holds one account", name).hasSize(1);
            assertThat(locked.get(0)).matches("\t- locked <0x[0-9a-f]+> \\(a dev\\.threadleak\\.samples\\.Account\\)");
            holds.put(name, locked.get(0).replaceAll(".*(<0x[0-9a-f]+>).*", "$1"));
            assertThat(block.get(block.size() - 1)).startsWith("   created by " + PKG + "LockOrderDeadlock.startTransfers(LockOrderDeadlock.java:" + leak
                    + ") in thread \"main\" #" + mainTid(lines, jdk) + ", age ");
        }
        assertThat(waitsFor.get("transfer-1")).as("transfer-1 waits for what transfer-2 holds").isEqualTo(holds.get("transfer-2"));
        assertThat(waitsFor.get("transfer-2")).as("transfer-2 waits for what transfer-1 holds").isEqualTo(holds.get("transfer-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void timerPerCallIsBlamedOnItsNewTimer(Jdk jdk) throws Exception {
        assertLeakGroup(jdk, "TimerPerCall", "scheduleReport", "report-timer-*");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void blockedConsumersAreBlamedOnTheirThreadStart(Jdk jdk) throws Exception {
        assertLeakGroup(jdk, "BlockedConsumers", "handleRequest", "consumer-*");
    }

    private static void assertLeakGroup(Jdk jdk, String sample, String method, String names) throws Exception {
        int leak = ChildJvm.lineOf(sample + ".java", "// LEAK:");
        String blame = PKG + sample + "." + method + "(" + sample + ".java:" + leak + ")";
        Result r = ChildJvm.cli("report", dir(sample, jdk).toString());
        assertThat(r.exitCode()).isZero();
        List<String> group = firstGroup(ChildJvm.lines(r.stdout()));
        Matcher head = Pattern.compile("(\\d+) live, (\\d+) started @ " + Pattern.quote(blame)).matcher(group.get(0));
        assertThat(head.matches()).as("group line: %s", group.get(0)).isTrue();
        int live = Integer.parseInt(head.group(1)), started = Integer.parseInt(head.group(2));
        assertThat(live).isGreaterThanOrEqualTo(5);
        // every thread started there is alive; the sample is stopped mid-request, so one may have been started
        // after the exit dump listed the live threads
        assertThat(started).isBetween(live, live + 1);
        assertThat(group).contains("    names:  " + names, "\tat " + blame + "   <- blame");
    }

    /** The tid of "main" as its own block in the --threads view shows it: 1 on JDK 17, 3 on JDK 25. */
    private static long mainTid(List<String> lines, Jdk jdk) {
        String header = block(lines, "\"main\" #").get(0);
        long tid = Long.parseLong(header.replaceAll("\"main\" #(\\d+) .*", "$1"));
        if (jdk.feature() == 17) assertThat(tid).isEqualTo(1);
        return tid;
    }

    /** The first group (the findings come before the groups): from its "N live, " line to the next blank line. */
    private static List<String> firstGroup(List<String> lines) {
        int profile = indexOf(lines, l -> l.startsWith("thread profile: total "));
        int group = indexOf(lines, l -> l.matches("\\d+ live, .*"));
        assertThat(group).isGreaterThan(profile);
        assertThat(lines.get(group - 1)).isEmpty();
        return until(lines, group);
    }

    /** A --threads block: from its header line to the next blank line. */
    private static List<String> block(List<String> lines, String headerStart) {
        return until(lines, indexOf(lines, l -> l.startsWith(headerStart)));
    }

    private static List<String> until(List<String> lines, int from) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < lines.size() && !lines.get(i).isEmpty(); i++) out.add(lines.get(i));
        return out;
    }

    private static int indexOf(List<String> lines, java.util.function.Predicate<String> p) {
        for (int i = 0; i < lines.size(); i++) {
            if (p.test(lines.get(i))) return i;
        }
        throw new AssertionError("no such line in:\n" + String.join("\n", lines));
    }
}
