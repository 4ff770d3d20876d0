package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.sample.LockCycles.Waiter;
import dev.threadleak.agent.snapshot.Deadlock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LockCyclesTest {
    private final Map<Long, Waiter> waits = new HashMap<>();

    /** Thread {@code tid} waits for lock {@code "L" + owner}, held by {@code owner} (-1: free). */
    private void waits(long tid, long owner) {
        waits.put(tid, new Waiter(tid, "t" + tid, "L" + owner, owner, owner < 0 ? null : "t" + owner));
    }

    private List<String> cycles(long... deadlocked) {
        return LockCycles.of(deadlocked, waits::get).stream().map(Deadlock::describe).toList();
    }

    @Test
    void aTwoThreadCycleIsOneDeadlockWhicheverThreadComesFirst() {
        waits(1, 2);
        waits(2, 1);
        assertThat(LockCycles.of(new long[] {1, 2}, waits::get)).singleElement()
                .satisfies(d -> assertThat(d.cycle()).extracting(l -> l.thread().tid(), Deadlock.Link::lock, l -> l.owner().tid())
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "L2", 2L), org.assertj.core.groups.Tuple.tuple(2L, "L1", 1L)));
        assertThat(cycles(2, 1)).hasSize(1);
    }

    @Test
    void aThreadThatOnlyLeadsIntoACycleIsNotPartOfIt() {
        waits(1, 2);
        waits(2, 3);
        waits(3, 2); // the cycle is 2 <-> 3; 1 waits for 2
        List<Deadlock> found = LockCycles.of(new long[] {1, 2, 3}, waits::get);
        assertThat(found).singleElement().satisfies(d -> assertThat(d.cycle()).extracting(l -> l.thread().tid()).containsExactlyInAnyOrder(2L, 3L));
    }

    @Test
    void twoSeparateCyclesAreTwoDeadlocksAndALongerCycleKeepsItsOrder() {
        waits(1, 2);
        waits(2, 1);
        waits(5, 6);
        waits(6, 7);
        waits(7, 5);
        List<Deadlock> found = LockCycles.of(new long[] {1, 2, 5, 6, 7}, waits::get);
        assertThat(found).hasSize(2);
        assertThat(found.get(1).cycle()).extracting(l -> l.thread().tid()).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aThreadThatEndedOrALockReleasedMeanwhileBreaksTheCycle() {
        waits(1, 2); // 2 ended: no info
        assertThat(cycles(1, 2)).isEmpty();
        waits(2, -1); // 2 now waits for a free lock
        assertThat(cycles(1, 2)).isEmpty();
    }
}
