package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a dump says about held locks, and that it reads every platform thread. A dump must not walk the heap
 * (HotSpot finds ownable synchronizers only by a whole-heap walk at a safepoint, hundreds of ms on a big
 * heap): held monitors are listed, and a java.util.concurrent lock only when another thread waits for it.
 */
class DumpLocksIT {
    private static final String HELD_LOCKS = "dev.threadleak.agent.it.apps.HeldLocks";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void dumpListsHeldMonitorsAndOnlyTheContendedSynchronizers(Jdk jdk, @TempDir Path tmp) throws Exception {
        Map<String, ThreadEntry> threads = byName(exitDump(jdk, tmp, 0));
        ThreadEntry holder = threads.get("holder"), waiter = threads.get("waiter");
        assertThat(holder.monitorsOwned()).singleElement()
                .satisfies(m -> assertThat(m.lock()).startsWith(HELD_LOCKS + "$Guard@"));
        // the fair lock is held too, but nobody waits for it: reading it would take a heap walk
        assertThat(holder.synchronizersOwned()).singleElement().asString()
                .startsWith("java.util.concurrent.locks.ReentrantLock$NonfairSync@");
        assertThat(waiter.parkBlocker()).isEqualTo(holder.synchronizersOwned().get(0));
        assertThat(waiter.lockOwner().name()).isEqualTo("holder");
        assertThat(waiter.synchronizersOwned()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void dumpReadsEveryPlatformThreadWithItsStack(Jdk jdk, @TempDir Path tmp) throws Exception {
        int parked = 1_500; // several of the sampler's batches
        Map<String, ThreadEntry> threads = byName(exitDump(jdk, tmp, parked));
        for (int i = 0; i < parked; i++) {
            ThreadEntry t = threads.get("parked-" + i);
            assertThat(t).as("parked-%d in the dump", i).isNotNull();
            assertThat(t.stack()).as("parked-%d's stack", i).extracting(Frame::toString)
                    .anyMatch(f -> f.startsWith("java.util.concurrent.CountDownLatch.await("));
        }
    }

    /** Runs HeldLocks with {@code parked} extra threads under the agent (exit dump only) and reads that dump. */
    private static Snapshot exitDump(Jdk jdk, Path dir, int parked) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of("-Xss256k", ChildJvm.agent("dir=" + dir + ",interval=0"),
                "-cp", ChildJvm.TEST_CP), HELD_LOCKS, Integer.toString(parked))) {
            assertThat(child.waitFor()).as(child.stderr()).isZero();
            assertThat(child.stdout()).isEqualTo("ready\n");
            assertThat(child.stderr()).isEmpty();
        }
        assertThat(ChildJvm.dumps(dir)).hasSize(1);
        return ChildJvm.newestDump(dir);
    }

    private static Map<String, ThreadEntry> byName(Snapshot dump) {
        return dump.threads().stream().collect(Collectors.toMap(ThreadEntry::name, Function.identity(), (a, b) -> a));
    }
}
