package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class SnapshotCodecTest {
    private static final Frame PARK = new Frame("jdk.internal.misc.Unsafe", "park", "Unsafe.java", -2);
    private static final Frame TAKE = new Frame("java.util.concurrent.LinkedBlockingQueue", "take", "LinkedBlockingQueue.java", 435);
    private static final Frame RUN = new Frame("java.lang.Thread", "run", null, -1);
    private static final Frame HANDLE = new Frame("com.acme.Service", "handle", "Service.java", 42);
    private static final Frame MAIN = new Frame("com.acme.Main", "main", "Main.java", 7);
    private static final Frame TRANSFER = new Frame("com.acme.Bank", "transfer", "Bank.java", 51);

    /** A snapshot with every kind of thread, shared stacks, a deadlock and findings; other tests reuse it. */
    public static Snapshot sample() {
        List<Frame> waiting = List.of(PARK, TAKE, RUN);
        SiteInfo pool = new SiteInfo(0, List.of(HANDLE, MAIN), 0, false, 3);
        SiteInfo bank = new SiteInfo(1, List.of(TRANSFER, HANDLE, MAIN), 0, true, 2, SiteInfo.THREAD, 1_500L);
        ThreadRef mainRef = new ThreadRef(1, "main");
        ThreadEntry w1 = ThreadEntry.builder(21, "pool-1-thread-1").state("WAITING").stack(waiting)
                .parkBlocker("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@1b6d3586")
                .origin(Origin.STARTED).site(0).startedAtMs(1_000L).starter(mainRef)
                .waitReason("idle: pool worker waiting for a task").idle(true).waitingForMs(700L).build();
        ThreadEntry w2 = ThreadEntry.builder(22, "pool-2-thread-1").state("WAITING").stack(waiting)
                .parkBlocker("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject@4554617c")
                .origin(Origin.STARTED).site(0).startedAtMs(1_100L).starter(mainRef).build();
        ThreadEntry t1 = ThreadEntry.builder(30, "transfer-1").state("BLOCKED").stack(List.of(TRANSFER))
                .blockedOn("com.acme.Account@74a14482").lockOwner(new ThreadRef(31, "transfer-2"))
                .monitorsOwned(List.of(new OwnedMonitor(0, "com.acme.Account@1540e19d")))
                .synchronizersOwned(List.of("java.util.concurrent.locks.ReentrantLock$NonfairSync@677327b6"))
                .origin(Origin.STARTED).site(1).startedAtMs(1_200L).starter(mainRef)
                .waitReason("monitor enter on Account@74a14482 owned by \"transfer-2\"").waitingForMs(65_000L).build();
        ThreadEntry main = ThreadEntry.builder(1, "main").state("TIMED_WAITING")
                .stack(List.of(new Frame("java.lang.Thread", "sleep", "Thread.java", -2), MAIN))
                .origin(Origin.BEFORE_AGENT).startedAtMs(900L).build();
        ThreadEntry vt = ThreadEntry.builder(40, "").state("WAITING").virtual(true).daemon(true).waitingOn("java.lang.Object@6d06d69c")
                .origin(Origin.STARTED).site(0).startedAtMs(1_300L).starter(new ThreadRef(21, "pool-1-thread-1")).build();
        ThreadEntry agent = ThreadEntry.builder(12, "threadleak-agent").state("TIMED_WAITING").daemon(true).stack(List.of(PARK))
                .origin(Origin.STARTED).site(0).startedAtMs(950L).starter(mainRef).agentThread(true).build();
        ThreadEntry jvm = ThreadEntry.builder(2, "Signal Dispatcher").state("RUNNABLE").daemon(true).priority(9)
                .origin(Origin.BY_JVM).startedAtMs(900L).build();
        Summary summary = Summary.builder().live(6).daemon(2).virtual(1).peak(9).jvmStarted(40).agentStarted(6).baseline(4)
                .states(Map.of("WAITING", 3, "BLOCKED", 1, "TIMED_WAITING", 1, "RUNNABLE", 1)).heapUsed(12_345_678L).stackReserved(4L << 20)
                .startsDropped(3).sitesNotListed(7).build();
        return Snapshot.builder().pid(4242).takenAtMs(2_000L).jvmStartedAtMs(800L).agentStartedAtMs(900L).javaVersion("25.0.1")
                .command("com.acme.Main --port 8080").summary(summary).sites(List.of(pool, bank)).threads(List.of(main, w1, w2, t1, vt, agent, jvm))
                .blockedThresholdMs(60_000L).sampling(new Sampling(5_000, 12_000, 120))
                .deadlocks(List.of(new Deadlock(List.of(new Deadlock.Link(new ThreadRef(30, "transfer-1"), "com.acme.Account@74a14482", new ThreadRef(31, "transfer-2")),
                        new Deadlock.Link(new ThreadRef(31, "transfer-2"), "com.acme.Account@1540e19d", new ThreadRef(30, "transfer-1"))))))
                .findings(List.of(new Finding(Finding.Kind.DEADLOCK, Finding.Severity.CRITICAL, "2 threads deadlocked", 1, 2, 1_150L, List.of("cycle: ...")),
                        new Finding(Finding.Kind.GROWTH, Finding.Severity.HIGH, "6 live threads", -1, 2, 1_000L, List.of("a", "b"))))
                .build();
    }

    @Test
    void roundTripGivesBackTheSameSnapshot() throws Exception {
        Snapshot s = sample();
        assertThat(read(write(s))).isEqualTo(s);
    }

    @Test
    void hookFailuresRoundTripAndADumpWithoutThemReadsAsNone() throws Exception {
        Snapshot s = sample();
        Snapshot failed = s.toBuilder()
                .summary(s.summary().toBuilder().hookFailures(3).firstHookFailure("java.lang.IllegalStateException: boom").build()).build();
        assertThat(read(write(failed)).summary()).extracting(Summary::hookFailures, Summary::firstHookFailure)
                .containsExactly(3L, "java.lang.IllegalStateException: boom");
        String older = write(s).replaceAll("\\s*\"hookFailures\" ?: ?0,", "");
        assertThat(older).doesNotContain("hookFailures");
        assertThat(read(older).summary())
                .extracting(Summary::hookFailures, Summary::firstHookFailure).containsExactly(0L, null);
    }

    @Test
    void samplingRoundTripsAndADumpWithoutItReadsAsUnknown() throws Exception {
        Snapshot s = sample();
        assertThat(read(write(s)).sampling()).isEqualTo(new Sampling(5_000, 12_000, 120));
        String older = write(s).replaceAll("\\s*\"sampling\" ?: ?\\{[^}]*},", "");
        assertThat(older).doesNotContain("sampling");
        assertThat(read(older).sampling()).isEqualTo(Sampling.UNKNOWN);
    }

    @Test
    void framesAndStacksAreStoredOnce() throws Exception {
        JsonNode root = new ObjectMapper().readTree(write(sample()));
        assertThat(root.path("format").asText()).isEqualTo("threadleak-dump/1");
        JsonNode frames = root.path("frames");
        assertThat(frames.size()).as("distinct frames").isEqualTo(7);
        HashSet<String> distinct = new HashSet<>();
        frames.forEach(f -> distinct.add(f.toString()));
        assertThat(distinct).hasSize(frames.size());
        // stacks: pool site, bank site, waiting (shared by w1, w2), main's, transfer-1's, empty, [PARK]
        assertThat(root.path("stacks").size()).isEqualTo(7);
        JsonNode threads = root.path("threads");
        assertThat(threads.get(1).path("stack")).isEqualTo(threads.get(2).path("stack"));
        assertThat(threads.get(0).has("site")).isFalse();
        assertThat(threads.get(0).has("starter")).isFalse();
        assertThat(threads.get(1).path("ageMs").asLong()).isEqualTo(1_000L);
        JsonNode run = frames.get(6);
        assertThat(run.path("class").asText() + "." + run.path("method").asText()).isEqualTo("java.lang.Thread.run");
        assertThat(run.has("file")).as("a frame without a file writes none").isFalse();
    }

    @Test
    void truncatedDump() throws Exception {
        String json = write(sample());
        String half = json.substring(0, json.indexOf('\n', json.length() / 2) - 1); // ends mid-line, whatever the length
        assertThatThrownBy(() -> read(half)).isInstanceOf(DumpFormatException.class)
                .hasMessage("d.json: truncated JSON (input ends at line " + half.lines().count() + ")");
    }

    @Test
    void wrongFormat() throws Exception {
        String json = write(sample()).replace("threadleak-dump/1", "threadleak-dump/2");
        assertThatThrownBy(() -> read(json)).isInstanceOf(DumpFormatException.class)
                .hasMessage("d.json: unsupported format 'threadleak-dump/2' (this threadleak reads threadleak-dump/1)");
        assertThatThrownBy(() -> read("{\"threads\": []}")).hasMessage("d.json: not a threadleak dump (no \"format\" field)");
        assertThatThrownBy(() -> read("[1, 2]")).hasMessage("d.json: not a threadleak dump (empty, or not a JSON object)");
        assertThatThrownBy(() -> read("")).hasMessage("d.json: not a threadleak dump (empty, or not a JSON object)");
        assertThatThrownBy(() -> read("hello")).hasMessageStartingWith("d.json: not JSON (Unrecognized token 'hello'").hasMessageEndingWith(" at line 1)");
    }

    @Test
    void badIndexes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode badFrame = (ObjectNode) mapper.readTree(write(sample()));
        ((com.fasterxml.jackson.databind.node.ArrayNode) badFrame.path("stacks").get(0)).set(0, 99);
        assertThatThrownBy(() -> read(badFrame.toString())).isInstanceOf(DumpFormatException.class)
                .hasMessage("d.json: bad frame index 99 (table has 7)");

        ObjectNode badStack = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) badStack.path("threads").get(1)).put("stack", -1);
        assertThatThrownBy(() -> read(badStack.toString())).hasMessage("d.json: bad stack index -1 (table has 7)");

        ObjectNode badSite = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) badSite.path("threads").get(1)).put("site", 5);
        assertThatThrownBy(() -> read(badSite.toString())).hasMessage("d.json: thread 21 names site 5, which is not in the sites table");

        ObjectNode noThreads = (ObjectNode) mapper.readTree(write(sample()));
        noThreads.remove("threads");
        assertThatThrownBy(() -> read(noThreads.toString())).hasMessage("d.json: missing field 'threads'");

        ObjectNode textLine = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) textLine.path("frames").get(0)).put("line", "12");
        assertThatThrownBy(() -> read(textLine.toString())).hasMessage("d.json: field 'line' is not a whole number");

        ObjectNode hugeLine = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) hugeLine.path("frames").get(0)).put("line", java.math.BigInteger.TWO.pow(70));
        assertThatThrownBy(() -> read(hugeLine.toString())).hasMessage("d.json: field 'line' is not a whole number");

        ObjectNode textIndex = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) textIndex.path("threads").get(1)).put("stack", "a \"b\"");
        assertThatThrownBy(() -> read(textIndex.toString())).hasMessage("d.json: bad stack index \"a \\\"b\\\"\" (table has 7)");

        ObjectNode fractionIndex = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) fractionIndex.path("threads").get(1)).put("stack", 1.5);
        assertThatThrownBy(() -> read(fractionIndex.toString())).hasMessage("d.json: bad stack index 1.5 (table has 7)");
    }

    @Test
    void aFieldGivenTwiceReadsAsItsLastValue() throws Exception {
        String dump = write(sample());
        Snapshot once = read(dump);
        Snapshot twice = read(dump.replaceFirst("\\{", "{\"javaVersion\": \"1.0-earlier\", "));
        assertThat(twice.javaVersion()).isEqualTo(once.javaVersion());
    }

    @Test
    void indexesThatPointOutsideTheirTablesAreOneLine() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode blame = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) blame.path("sites").get(0)).put("blame", 7); // its stack has 2 frames
        assertThatThrownBy(() -> read(blame.toString())).isInstanceOf(DumpFormatException.class)
                .hasMessage("d.json: site 0: blame index 7 is outside its stack of 2 frames");
        ((ObjectNode) blame.path("sites").get(0)).put("blame", -2);
        assertThatThrownBy(() -> read(blame.toString())).hasMessage("d.json: site 0: blame index -2 is outside its stack of 2 frames");

        ObjectNode finding = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) finding.path("findings").get(0)).put("site", 9);
        assertThatThrownBy(() -> read(finding.toString())).hasMessage("d.json: finding '2 threads deadlocked' names site 9, which is not in the sites table");

        ObjectNode monitor = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) monitor.path("threads").get(3).path("monitorsOwned").get(0)).put("depth", 3);
        assertThatThrownBy(() -> read(monitor.toString())).hasMessage("d.json: thread 30: monitor depth 3 is outside its stack of 1 frames");

        ObjectNode owner = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) owner.path("threads").get(3).path("lockOwner")).put("tid", -5);
        assertThatThrownBy(() -> read(owner.toString())).hasMessage("d.json: field 'tid' is negative: -5");

        ObjectNode time = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) time.path("findings").get(1)).put("sinceMs", Long.MAX_VALUE); // Instant cannot hold it
        assertThatThrownBy(() -> read(time.toString())).hasMessage("d.json: field 'sinceMs' is out of range: " + Long.MAX_VALUE);

        ObjectNode wait = (ObjectNode) mapper.readTree(write(sample()));
        ((ObjectNode) wait.path("threads").get(1)).put("waitingForMs", -1);
        assertThatThrownBy(() -> read(wait.toString())).hasMessageStartingWith("d.json: field 'waitingForMs' is out of range: -1");
    }

    private static String write(Snapshot s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Snapshot read(String json) throws DumpFormatException {
        return SnapshotCodec.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "d.json");
    }
}
