package dev.threadleak.agent.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDK's own thread dumps, as JDK 17 and JDK 25 wrote them here (src/test/resources/jdk-dumps, gzipped; how each
 * was made is in its README), read and judged: a leaking sample's three {@code jstack -l} dumps in one file, a deadlock
 * in text and JSON, and a healthy program whose pools fill under rising load (Ramp.java.txt).
 */
class JdkSnapshotsTest {
    @TempDir
    Path tmp;

    private Path fixture(String name) throws IOException {
        Path out = tmp.resolve(name.replace(".gz", ""));
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/jdk-dumps/" + name))) {
            Files.write(out, in.readAllBytes());
        }
        return out;
    }

    private List<Snapshot> read(String... names) throws Exception {
        JdkSnapshots reader = new JdkSnapshots(List.of());
        Path[] files = new Path[names.length];
        for (int i = 0; i < names.length; i++) files[i] = fixture(names[i]);
        return reader.read(List.of(files));
    }

    private static Finding finding(Snapshot s, Finding.Kind kind) {
        return s.findings().stream().filter(f -> f.kind() == kind).findFirst().orElseThrow(() -> new AssertionError(kind + " not in " + s.findings()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"leak-jstack-l-jdk17.txt.gz", "leak-jstack-l-jdk25.txt.gz"})
    void threeJstackDumpsOfALeakingJvmNameTheGrowingStack(String name) throws Exception {
        List<Snapshot> dumps = read(name);
        assertThat(dumps).hasSize(3);
        Snapshot last = dumps.get(2);
        assertThat(last.input()).isEqualTo(Snapshot.JSTACK_INPUT);
        assertThat(last.takenAtMs() - dumps.get(0).takenAtMs()).isBetween(1_000L, 10_000L);
        Finding growth = finding(last, Finding.Kind.SITE_GROWTH);
        SiteInfo site = last.site(growth.site());
        assertThat(site.kind()).isEqualTo(SiteInfo.STACK);
        // idle pool workers: no application frame in their stacks; the site is named by the thread's entry
        assertThat(site.blameFrame().toString()).startsWith("java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:");
        assertThat(site.stack().get(0)).isEqualTo(new Frame("jdk.internal.misc.Unsafe", "park", null, -2));
        assertThat(growth.title()).contains("live threads in one stack, +");
        assertThat(growth.threads()).isGreaterThan(dumps.get(0).summary().live() - 20);
        assertThat(finding(last, Finding.Kind.RECREATED_POOLS).title()).contains("pools of threads named pool-*-thread-1");
        // the first dump alone judges no growth
        assertThat(dumps.get(0).findings()).isEmpty();
        ThreadEntry main = last.threads().stream().filter(t -> t.name().equals("main")).findFirst().orElseThrow();
        assertThat(main.startedAtMs()).isLessThan(dumps.get(0).takenAtMs()); // from its elapsed time, not first sight
        assertThat(main.origin()).isEqualTo(Origin.NOT_RECORDED);
        ThreadEntry worker = last.threads().stream().filter(t -> t.name().startsWith("pool-")).findFirst().orElseThrow();
        assertThat(worker.idle()).isTrue();
        assertThat(worker.waitReason()).isEqualTo("idle: pool worker waiting for a task");
        assertThat(worker.executor()).isNotNegative();
        assertThat(last.executor(worker.executor()).name()).startsWith("pool-" + worker.name().split("-")[1] + "-thread-");
    }

    /**
     * jstack prints its time to the second (dumps within one second would tie, and growth could not be judged between
     * them): dumps are spaced by their oldest thread's elapsed time instead, precise to 10 ms. The fixture's dumps say
     * 14:57:35, :36 and :38; "main" has run 1.84 s, 3.11 s and 4.36 s.
     */
    @Test
    void jstackDumpsAreSpacedByTheirThreadsElapsedTimesNotTheirPrintedSeconds() throws Exception {
        List<Snapshot> dumps = read("leak-jstack-l-jdk17.txt.gz");
        long a = dumps.get(0).takenAtMs(), b = dumps.get(1).takenAtMs(), c = dumps.get(2).takenAtMs();
        assertThat(b - a).isEqualTo(3_110 - 1_840);
        assertThat(c - b).isEqualTo(4_360 - 3_110);
        long printed = java.time.LocalDateTime.parse("2026-12-07T14:57:35").atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
        assertThat(a - printed).isBetween(0L, 999L); // within the second it printed
        ThreadEntry main = dumps.get(2).threads().stream().filter(t -> t.name().equals("main")).findFirst().orElseThrow();
        assertThat(c - main.startedAtMs()).isEqualTo(4_360);
    }

    @ParameterizedTest
    @ValueSource(strings = {"deadlock-jstack-l-jdk17.txt.gz", "deadlock-jstack-l-jdk25.txt.gz", "deadlock-jdk25.json.gz"})
    void aDeadlockIsFoundFromTheLocksTheDumpPrints(String name) throws Exception {
        Snapshot s = read(name).get(0);
        Finding deadlock = finding(s, Finding.Kind.DEADLOCK);
        assertThat(deadlock.severity()).isEqualTo(Finding.Severity.CRITICAL);
        assertThat(deadlock.evidence().get(0)).matches("cycle: \"transfer-[12]\" waits for dev\\.threadleak\\.samples\\.Account@[0-9a-f]+ held by \"transfer-[12]\"; .*");
        assertThat(s.site(deadlock.site()).blameFrame().toString()).startsWith("dev.threadleak.samples.LockOrderDeadlock.transfer(LockOrderDeadlock.java:");
        ThreadEntry t1 = s.threads().stream().filter(t -> t.name().equals("transfer-1")).findFirst().orElseThrow();
        assertThat(t1.state()).isEqualTo("BLOCKED");
        assertThat(t1.lockOwner().name()).isEqualTo("transfer-2");
        assertThat(t1.waitReason()).startsWith("monitor enter on Account@").endsWith("owned by \"transfer-2\"");
        assertThat(t1.monitorsOwned()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ramp-jstack-jdk17.txt.gz", "ramp-jstack-jdk25.txt.gz"})
    void poolsFillingUnderRisingLoadAreNoLeak(String name) throws Exception {
        List<Snapshot> dumps = read(name);
        assertThat(dumps).hasSize(4);
        Snapshot last = dumps.get(3);
        assertThat(last.summary().live() - dumps.get(0).summary().live()).isGreaterThanOrEqualTo(10); // it did grow
        assertThat(last.findings()).isEmpty();
        // the cached pool's workers (ingest-N, one number) are one pool, told by their run loop
        List<ExecutorInfo> ingest = last.executors().stream().filter(e -> e.name().equals("ingest-*")).toList();
        assertThat(ingest).hasSize(1);
        assertThat(ingest.get(0).poolSize()).isGreaterThan(10);
    }

    @Test
    void jcmdThreadPrintNamesItsProcess() throws Exception {
        List<Snapshot> dumps = read("leak-jcmd-jdk17.txt.gz");
        assertThat(dumps).hasSize(1);
        assertThat(dumps.get(0).pid()).isPositive();
        assertThat(dumps.get(0).javaVersion()).startsWith("17.");
    }

    @Test
    void aJdk25JsonDumpPlacesWorkersInTheirExecutorContainers() throws Exception {
        Snapshot s = read("leak-jdk25.json.gz").get(0);
        assertThat(s.input()).isEqualTo(Snapshot.JSON_INPUT);
        assertThat(s.pid()).isPositive();
        assertThat(s.javaVersion()).startsWith("25");
        List<ThreadEntry> workers = s.threads().stream().filter(t -> t.name().startsWith("pool-")).toList();
        assertThat(workers).hasSizeGreaterThan(10);
        assertThat(workers).allSatisfy(w -> {
            assertThat(w.state()).isEqualTo("WAITING");
            assertThat(w.executor()).isNotNegative();
            assertThat(s.executor(w.executor()).kind()).isEqualTo("java.util.concurrent.ThreadPoolExecutor");
        });
        assertThat(workers.stream().map(ThreadEntry::executor).distinct().count()).isEqualTo(workers.size());
    }

    @Test
    void threeJsonDumpsOfLeakingVirtualThreadsNameTheLineTheyWaitAt() throws Exception {
        List<Snapshot> dumps = read("virtual-jdk25a.json.gz", "virtual-jdk25b.json.gz", "virtual-jdk25c.json.gz");
        Snapshot last = dumps.get(2);
        assertThat(last.summary().virtual()).isGreaterThan(dumps.get(0).summary().virtual());
        Finding growth = finding(last, Finding.Kind.SITE_GROWTH);
        assertThat(last.site(growth.site()).blameFrame().toString()).startsWith("dev.threadleak.samples.VirtualFutureWaiters.awaitReply(VirtualFutureWaiters.java:");
        assertThat(growth.evidence()).anyMatch(e -> e.contains(": parked on CompletableFuture.get ("));
        assertThat(last.threads().stream().filter(ThreadEntry::virtual)).allSatisfy(t -> assertThat(t.name()).startsWith("waiter-"));
    }

    /** JDK 21 to 23 write a thread's id, name and stack only (ThreadDumper.dumpThreadsToJson of JDK 21). */
    @Test
    void aJdk21JsonDumpWithoutStatesHasThemInferredFromTheStack() throws Exception {
        Path file = tmp.resolve("jdk21.json");
        Files.writeString(file, """
                {
                  "threadDump": {
                    "processId": "4242",
                    "time": "2026-12-07T10:00:00.000Z",
                    "runtimeVersion": "21.0.5+11-LTS",
                    "threadContainers": [
                      {
                        "container": "<root>",
                        "parent": null,
                        "owner": null,
                        "threads": [
                         {
                           "tid": "1",
                           "name": "main",
                           "stack": [
                              "java.base\\/java.lang.Thread.sleep0(Native Method)",
                              "java.base\\/java.lang.Thread.sleep(Thread.java:509)",
                              "com.acme.Main.main(Main.java:12)"
                           ]
                         },
                         {
                           "tid": "31",
                           "name": "",
                           "stack": [
                              "java.base\\/jdk.internal.vm.Continuation.yield(Continuation.java:357)",
                              "java.base\\/java.lang.VirtualThread.yieldContinuation(VirtualThread.java:431)",
                              "java.base\\/java.lang.VirtualThread.park(VirtualThread.java:582)",
                              "java.base\\/java.util.concurrent.locks.LockSupport.park(LockSupport.java:369)",
                              "com.acme.Main.lambda$main$0(Main.java:9)",
                              "java.base\\/java.lang.VirtualThread.run(VirtualThread.java:311)"
                           ]
                         }
                        ],
                        "threadCount": "2"
                      }
                    ]
                  }
                }
                """, StandardCharsets.UTF_8);
        Snapshot s = new JdkSnapshots(List.of()).read(List.of(file)).get(0);
        assertThat(s.pid()).isEqualTo(4242);
        ThreadEntry main = s.threads().get(0), virtual = s.threads().get(1);
        assertThat(main.state()).isEqualTo("TIMED_WAITING");
        assertThat(main.waitReason()).isEqualTo("sleeping");
        assertThat(s.site(main.site()).blameFrame()).isEqualTo(new Frame("com.acme.Main", "main", "Main.java", 12));
        assertThat(virtual.virtual()).isTrue();
        assertThat(virtual.state()).isEqualTo("WAITING");
        assertThat(s.summary().virtual()).isEqualTo(1);
    }

    @Test
    void framesOfEveryLayoutRead() {
        assertThat(JstackText.frame("java.lang.Thread.sleep(java.base@17.0.15/Native Method)")).isEqualTo(new Frame("java.lang.Thread", "sleep", null, -2));
        assertThat(JstackText.frame("java.base/java.lang.Thread.run(Thread.java:1474)")).isEqualTo(new Frame("java.lang.Thread", "run", "Thread.java", 1474));
        assertThat(JstackText.frame("Leak$$Lambda/0x0000000086045660.run(Unknown Source)")).isEqualTo(new Frame("Leak$$Lambda/0x0000000086045660", "run", null, -1));
        assertThat(JstackText.frame("app//com.acme.Foo.bar(Foo.java:3)")).isEqualTo(new Frame("com.acme.Foo", "bar", "Foo.java", 3));
        assertThat(JstackText.frame("com.foo.loader/foo@9.0/com.foo.Main.run(Main.java:101)")).isEqualTo(new Frame("com.foo.Main", "run", "Main.java", 101));
        assertThat(JstackText.frame("no frame here")).isNull();
    }

    @Test
    void dumpsOfOneJvmGivenNewestFirstAcrossReadsAreRefusedInOneLine() throws Exception {
        Path all = fixture("leak-jstack-l-jdk17.txt.gz");
        String text = Files.readString(all);
        int second = text.indexOf(JstackText.FULL_THREAD_DUMP, text.indexOf(JstackText.FULL_THREAD_DUMP) + 1);
        int cut = text.lastIndexOf('\n', text.lastIndexOf('\n', second - 1) - 1) + 1; // the time line before the header
        Path first = Files.writeString(tmp.resolve("first.txt"), text.substring(0, cut));
        Path later = Files.writeString(tmp.resolve("later.txt"), text.substring(cut));
        JdkSnapshots reader = new JdkSnapshots(List.of());
        assertThat(reader.read(List.of(later))).hasSize(2);
        assertThatThrownBy(() -> reader.read(List.of(first))).isInstanceOf(DumpFormatException.class)
                .hasMessageStartingWith(first + ": taken at ").hasMessageEndingWith("give a JVM's dumps oldest first").hasMessageNotContaining("\n");
        // given together, any order is sorted by the dumps' own times
        assertThat(new JdkSnapshots(List.of()).read(List.of(later, first))).hasSize(3);
    }

    @Test
    void aFileOfNoThreadFormatIsOneLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "hello\n");
        assertThatThrownBy(() -> new JdkSnapshots(List.of()).read(List.of(file))).isInstanceOf(DumpFormatException.class)
                .hasMessage(file + ": not a thread dump threadleak reads (a threadleak dump, jstack or jcmd Thread.print text, a JDK JSON thread dump, a JFR recording)");
        assertThat(JdkInputs.kind(file)).isEqualTo(JdkInputs.Kind.OTHER);
    }
}
