package dev.threadleak.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.findings.Findings;
import dev.threadleak.agent.findings.History;
import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteTable;
import dev.threadleak.agent.sample.Sampler;
import dev.threadleak.agent.sample.Sampler.Depth;
import dev.threadleak.agent.snapshot.Snapshot;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private final Pipeline pipeline = new Pipeline(
            new Sampler(new Registry(new SiteTable(32, new Blame(List.of()))), HookFailures.NONE, System.currentTimeMillis(), 60_000, true),
            new History(600_000), new Findings.Thresholds(60_000, 10, 100), 60_000, TimeUnit.SECONDS.toNanos(5));

    @Test
    void theLastSnapshotIsLeftToTheCollectorWhenNoViewServesFromIt() {
        pipeline.scheduled(Depth.PERIODIC);
        assertThat(pipeline.last()).isNotNull();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pipeline.last() != null && System.nanoTime() - deadline < 0) System.gc();
        assertThat(pipeline.last()).as("a snapshot no view holds is the collector's").isNull();
        Snapshot fresh = pipeline.latest();
        assertThat(fresh).as("a JMX read that finds it collected takes a sample").isNotNull();
    }

    @Test
    void anEndpointThatStartsAfterTheLastSnapshotWasCollectedIsServedOneAtOnce() {
        pipeline.scheduled(Depth.PERIODIC); // the set-up's first sample, taken before the endpoint starts
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pipeline.last() != null && System.nanoTime() - deadline < 0) System.gc();
        assertThat(pipeline.last()).as("collected before the endpoint starts").isNull();
        pipeline.keepLast();
        assertThat(pipeline.last()).as("served at once, not \"no sample yet\" until the next sample").isNotNull();
    }

    @Test
    void anEndpointThatDidNotStartKeepsNothing() {
        pipeline.keepLast();
        pipeline.scheduled(Depth.PERIODIC);
        assertThat(pipeline.recent()).as("a point for the live page").hasSize(1);
        pipeline.stopKeeping();
        assertThat(pipeline.recent()).isEmpty();
        pipeline.scheduled(Depth.PERIODIC);
        assertThat(pipeline.recent()).as("no point after").isEmpty();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (pipeline.last() != null && System.nanoTime() - deadline < 0) System.gc();
        assertThat(pipeline.last()).as("the last snapshot is the collector's again").isNull();
    }

    @Test
    void whileTheHttpEndpointServesTheLastSnapshotIsKept() {
        pipeline.keepLast();
        Snapshot taken = pipeline.scheduled(Depth.PERIODIC);
        long takenAt = taken.takenAtMs();
        taken = null; // only the pipeline holds it now
        WeakReference<Object> canary = new WeakReference<>(new Object());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (canary.get() != null && System.nanoTime() - deadline < 0) System.gc();
        assertThat(canary.get()).as("a collection ran").isNull();
        assertThat(pipeline.last()).isNotNull().extracting(Snapshot::takenAtMs).isEqualTo(takenAt);
    }
}
