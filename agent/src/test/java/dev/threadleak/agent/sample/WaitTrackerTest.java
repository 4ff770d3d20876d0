package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.lang.management.LockInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitTrackerTest {
    private static final StackTraceElement[] TAKE = {
            new StackTraceElement("jdk.internal.misc.Unsafe", "park", null, -2),
            new StackTraceElement("java.util.concurrent.LinkedBlockingQueue", "take", null, 435)};
    private static final StackTraceElement[] SLEEP = {new StackTraceElement("java.lang.Thread", "sleep", null, -2)};
    private static final LockInfo LOCK_INFO = new LockInfo("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", 0x1f2e);
    private static final String LOCK = LOCK_INFO.toString();
    private static final WaitReason PARKED = new WaitReason("parked on LinkedBlockingQueue.take", false);

    private final WaitTracker tracker = new WaitTracker();

    private WaitTracker.Track read(long tid, StackTraceElement[] stack, String lock, long wakeups, long now) {
        tracker.beginRound();
        WaitTracker.Track t = tracker.observe(tid, Thread.State.WAITING, stack, Sampler.frames(stack), lock, wakeups, PARKED, null, now);
        tracker.endRound();
        return t;
    }

    @Test
    void theSameWaitKeepsItsStartAndAWakeUpOrAnotherStackStartsANewOne() {
        assertThat(read(1, TAKE, LOCK, 7, 1_000).sinceMs()).isEqualTo(1_000);
        assertThat(read(1, TAKE, LOCK, 7, 6_000).sinceMs()).as("same wait, no wake-up").isEqualTo(1_000);
        assertThat(read(1, TAKE, LOCK, 8, 11_000).sinceMs()).as("woke and waited again").isEqualTo(11_000);
        assertThat(read(1, SLEEP, null, 8, 16_000).sinceMs()).as("another wait").isEqualTo(16_000);
        assertThat(read(1, SLEEP, null, 8, 21_000).stack()).extracting(f -> f.method()).isEqualTo(List.of("sleep"));
    }

    @Test
    void aThreadProvablyStillInItsWaitNeedsNoNewReadButARunningOneDoes() {
        read(1, TAKE, LOCK, 7, 1_000);
        tracker.beginRound();
        assertThat(tracker.stillWaiting(1, Thread.State.WAITING, LOCK_INFO, 7, false)).isNotNull();
        assertThat(tracker.stillWaiting(1, Thread.State.WAITING, LOCK_INFO, 8, false)).as("a wake-up").isNull();
        assertThat(tracker.stillWaiting(1, Thread.State.WAITING, new LockInfo("other", 2), 7, false)).as("another lock").isNull();
        assertThat(tracker.stillWaiting(1, Thread.State.RUNNABLE, LOCK_INFO, 7, false)).as("running: its stack moves unseen").isNull();
        assertThat(tracker.stillWaiting(2, Thread.State.WAITING, LOCK_INFO, 7, false)).as("never read").isNull();
        tracker.endRound();
    }

    @Test
    void aThreadNotSeenInARoundIsForgottenAndOneKeptIsNot() {
        read(1, TAKE, LOCK, 7, 1_000);
        tracker.beginRound();
        assertThat(tracker.keep(1)).isNotNull();
        tracker.endRound();
        tracker.beginRound();
        tracker.endRound(); // thread 1 not seen: it ended
        tracker.beginRound();
        assertThat(tracker.keep(1)).isNull();
        tracker.endRound();
        assertThat(read(1, TAKE, LOCK, 7, 9_000).sinceMs()).as("a new thread with a reused id starts afresh").isEqualTo(9_000);
    }

    @Test
    void threadsInEqualWaitsShareOneWaitAndThreadsOnOtherLocksShareTheStack() {
        tracker.beginRound();
        for (long tid = 1; tid <= 1_000; tid++) {
            tracker.observe(tid, Thread.State.WAITING, TAKE, Sampler.frames(TAKE), LOCK, 7, PARKED, null, 1_000);
        }
        WaitTracker.Track other = tracker.observe(1_001, Thread.State.WAITING, TAKE, Sampler.frames(TAKE), "other@2", 7, PARKED, null, 1_000);
        tracker.endRound();
        assertThat(tracker.distinctWaits()).as("a thousand threads in one wait, one on another lock").isEqualTo(2);
        assertThat(tracker.distinctStacks()).isEqualTo(1);
        assertThat(other.stack()).isSameAs(tracker.keep(1).stack());

        tracker.beginRound();
        tracker.keep(1_001); // the thousand ended: their wait goes, the stack stays with the one left
        tracker.endRound();
        assertThat(tracker.distinctWaits()).isEqualTo(1);
        assertThat(tracker.distinctStacks()).isEqualTo(1);
        tracker.beginRound();
        tracker.endRound();
        assertThat(tracker.distinctWaits()).isZero();
        assertThat(tracker.distinctStacks()).isZero();
    }

    @Test
    void theWaitFrameIsFoundOncePerDistinctWait() {
        tracker.beginRound();
        int[] finds = {0};
        for (long tid = 1; tid <= 100; tid++) {
            WaitTracker.Track t = tracker.observe(tid, Thread.State.WAITING, TAKE, Sampler.frames(TAKE), LOCK, 7, PARKED, null, 1_000);
            assertThat(t.waitFrame(stack -> ++finds[0])).isEqualTo(1);
        }
        tracker.endRound();
        assertThat(finds[0]).isEqualTo(1);
    }

    @Test
    void aDumpNeedsAWholeReadWhereAPeriodicOneAcceptsAnyAndMonitorsAreKeptWithTheWait() {
        read(1, TAKE, LOCK, 7, 1_000); // a periodic read: 64 frames, no monitors
        tracker.beginRound();
        assertThat(tracker.stillWaiting(1, Thread.State.WAITING, LOCK_INFO, 7, false)).as("a periodic sample").isNotNull();
        assertThat(tracker.stillWaiting(1, Thread.State.WAITING, LOCK_INFO, 7, true)).as("a dump: never read whole").isNull();
        List<OwnedMonitor> held = List.of(new OwnedMonitor(1, "com.acme.Account@1"));
        tracker.observe(1, Thread.State.WAITING, TAKE, Sampler.frames(TAKE), LOCK, 7, PARKED, held, 6_000);
        tracker.observe(2, Thread.State.WAITING, TAKE, Sampler.frames(TAKE), LOCK, 7, PARKED, List.of(), 6_000);
        tracker.endRound();
        tracker.beginRound();
        WaitTracker.Track whole = tracker.stillWaiting(1, Thread.State.WAITING, LOCK_INFO, 7, true);
        assertThat(whole).as("read whole since").isNotNull();
        assertThat(whole.monitors()).isEqualTo(held);
        assertThat(whole.sinceMs()).as("the same wait, read again whole").isEqualTo(1_000);
        assertThat(tracker.stillWaiting(2, Thread.State.WAITING, LOCK_INFO, 7, true).monitors()).isEmpty();
        tracker.endRound();
        assertThat(tracker.distinctWaits()).as("a wait holding monitors is its thread's own, not interned").isEqualTo(1);
    }

    @Test
    void aLockIsMatchedToItsPrintedNameWithoutPrintingIt() {
        LockInfo lock = new LockInfo("a.B", 0xcafe);
        assertThat(WaitTracker.sameLock("a.B@cafe", lock)).isTrue();
        assertThat(WaitTracker.sameLock(new LockInfo("a.B", -1).toString(), new LockInfo("a.B", -1))).as("a hash past 2^31").isTrue();
        assertThat(WaitTracker.sameLock("a.B@cafd", lock)).as("another object of the class").isFalse();
        assertThat(WaitTracker.sameLock("a.BC@cafe", lock)).as("a class whose name it begins").isFalse();
        assertThat(WaitTracker.sameLock("a.@cafe", lock)).isFalse();
        assertThat(WaitTracker.sameLock("a.B@", lock)).isFalse();
        assertThat(WaitTracker.sameLock("a.B@x", lock)).isFalse();
        assertThat(WaitTracker.sameLock(null, lock)).isFalse();
        assertThat(WaitTracker.sameLock("a.B@cafe", null)).isFalse();
        assertThat(WaitTracker.sameLock(null, null)).as("no lock either time").isTrue();
    }
}
