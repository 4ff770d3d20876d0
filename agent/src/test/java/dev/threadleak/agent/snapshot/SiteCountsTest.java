package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SiteCountsTest {
    /** diff and watch name each group as the report does: a start whose stack was not captured is not the JVM's thread. */
    @Test
    void threadsWithoutASiteAreLabelledByHowTheAgentLearnedOfThem() {
        ThreadEntry uncaptured = ThreadEntry.builder(30, "worker").state("WAITING").origin(Origin.STARTED).startedAtMs(1_000L).build();
        ThreadEntry jvm = ThreadEntry.builder(2, "Signal Dispatcher").state("RUNNABLE").origin(Origin.BY_JVM).startedAtMs(900L).build();
        ThreadEntry before = ThreadEntry.builder(1, "main").state("RUNNABLE").origin(Origin.BEFORE_AGENT).startedAtMs(900L).build();
        Snapshot s = Snapshot.builder().takenAtMs(2_000L).summary(Summary.builder().live(3).states(Map.of()).build())
                .threads(List.of(before, jvm, uncaptured)).build();
        assertThat(SiteCounts.bySite(s).values()).extracting(SiteCounts.Count::label).containsExactlyInAnyOrder(
                "(started, creation stack not captured)", "(started by the JVM)", "(started before agent)");
    }
}
