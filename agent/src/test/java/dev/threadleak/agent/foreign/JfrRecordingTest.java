package dev.threadleak.agent.foreign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real JFR recording of this JVM (jdk.ThreadStart with its stack, jdk.ThreadEnd; no thread dump, so no current stack
 * tells a pool's worker), read back: the leaking line is blamed from the recorded creation stacks, and a cached pool whose
 * single-numbered workers fill up under load in the same recording is one pool (told by where its workers were started),
 * not a leak.
 */
class JfrRecordingTest {
    @TempDir
    Path tmp;

    @Test
    void aRecordingBlamesTheLineThatStartedTheLeakingThreadsAndNotAPoolFillingUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger numbers = new AtomicInteger();
        ExecutorService pool = Executors.newCachedThreadPool(r -> new Thread(r, "ingest-" + numbers.incrementAndGet()));
        List<Thread> leaked = new ArrayList<>();
        Path file = tmp.resolve("threads.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ThreadStart").withStackTrace();
            recording.enable("jdk.ThreadEnd");
            recording.enable("jdk.JVMInformation");
            recording.start();
            for (int i = 0; i < 12; i++) {
                leaked.add(leak(release, i)); // the leak
                pool.submit(() -> awaitQuietly(release)); // the pool, filling
            }
            recording.stop();
            recording.dump(file);
        } finally {
            release.countDown();
            pool.shutdown();
            for (Thread t : leaked) t.join();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        List<Snapshot> read = new JdkSnapshots(List.of("dev.threadleak.agent.foreign")).read(List.of(file));
        assertThat(read).hasSizeGreaterThan(2); // up to POINTS: a recording of a few ms has fewer distinct instants
        Snapshot last = read.get(read.size() - 1);
        assertThat(last.input()).isEqualTo(Snapshot.JFR_INPUT);
        assertThat(last.pid()).isEqualTo(ProcessHandle.current().pid());
        List<Finding> growth = last.findings().stream().filter(f -> f.kind() == Finding.Kind.SITE_GROWTH).toList();
        assertThat(growth).hasSize(1);
        SiteInfo site = last.site(growth.get(0).site());
        assertThat(site.kind()).isEqualTo(SiteInfo.THREAD);
        Frame blamed = site.blameFrame();
        assertThat(blamed.className()).isEqualTo(JfrRecordingTest.class.getName());
        assertThat(blamed.method()).isEqualTo("leak");
        assertThat(blamed.file()).isNull(); // JFR records no source file
        assertThat(blamed.toString()).matches("dev\\.threadleak\\.agent\\.foreign\\.JfrRecordingTest\\.leak\\(line \\d+\\)");
        ThreadEntry leakedThread = last.threads().stream().filter(t -> t.name().equals("leaked-0")).findFirst().orElseThrow();
        assertThat(leakedThread.origin()).isEqualTo(Origin.STARTED);
        assertThat(leakedThread.starter().tid()).isEqualTo(Thread.currentThread().getId());
        List<ThreadEntry> workers = last.threads().stream().filter(t -> t.name().startsWith("ingest-")).toList();
        assertThat(workers).hasSize(12);
        assertThat(workers).allSatisfy(w -> assertThat(w.executor()).isEqualTo(workers.get(0).executor()).isNotNegative());
    }

    @Test
    void aDaysThreadDumpsAreReadSpreadOverItAndTheLastAlways() {
        List<Long> minutes = new ArrayList<>();
        for (long m = 0; m < 1_440; m++) minutes.add(m * 60_000);
        java.util.Set<Long> kept = JfrRecording.spread(minutes);
        assertThat(kept).hasSize(JfrRecording.MAX_DUMPS).contains(1_439 * 60_000L, 23 * 60_000L);
        assertThat(JfrRecording.spread(List.of(5L, 1L, 3L))).containsExactlyInAnyOrder(1L, 3L, 5L);
        assertThat(JfrRecording.spread(List.of())).isEmpty();
    }

    private static Thread leak(CountDownLatch release, int i) {
        Thread t = new Thread(() -> awaitQuietly(release), "leaked-" + i);
        t.start();
        return t;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
