package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodecTest;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Go's goroutine-profile layouts of a snapshot with every kind of thread (SnapshotCodecTest's). */
class GoProfileTest {
    private final Snapshot s = SnapshotCodecTest.sample();

    @Test
    void debug1CountsIdenticalThreadsOnceWithTheirWaitMinutesAndTheLineThatCreatedThem() {
        String text = new String(GoProfile.debug1(s), StandardCharsets.UTF_8);
        assertThat(text).startsWith("thread profile: total 6\n").as("threadleak's own thread is left out").doesNotContain("threadleak-agent");
        assertThat(text).contains("""
                1 @ "transfer-1" [monitor enter on Account@74a14482 owned by "transfer-2", 1 minute]
                #\tcom.acme.Bank.transfer\tBank.java:51
                #\tcreated by com.acme.Bank.transfer\tBank.java:51

                """);
        assertThat(text).contains("""
                1 @ "pool-*-thread-1" [idle: pool worker waiting for a task]
                #\tjdk.internal.misc.Unsafe.park\tNative Method
                #\tjava.util.concurrent.LinkedBlockingQueue.take\tLinkedBlockingQueue.java:435
                #\tjava.lang.Thread.run\tUnknown Source
                #\tcreated by com.acme.Service.handle\tService.java:42
                """);
        assertThat(text).as("a thread with no frame read").contains("1 @ \"Signal Dispatcher\" [runnable]\n#\t(no Java frames read)\n");
    }

    @Test
    void threadsAlikeButForNameAndAgeAreOneGroupLargestFirst() {
        List<ThreadEntry> threads = new ArrayList<>(s.threads());
        ThreadEntry w1 = threads.get(1);
        for (int i = 0; i < 3; i++) {
            threads.add(ThreadEntry.builder(100 + i, "pool-" + (9 + i) + "-thread-1").state(w1.state()).stack(w1.stack()).parkBlocker(w1.parkBlocker())
                    .origin(w1.origin()).site(w1.site()).startedAtMs(1_500L + i).starter(w1.starter()).waitReason(w1.waitReason()).idle(w1.idle())
                    .waitingForMs(100L * i).build());
        }
        List<GoProfile.Group> groups = GoProfile.groups(s.toBuilder().threads(threads).build(), true);
        assertThat(groups.get(0).threads).hasSize(4).allMatch(t -> t.name().matches("pool-\\d+-thread-1"));
        assertThat(groups.get(0).name).isEqualTo("pool-*-thread-1");
        assertThat(groups).flatMap(g -> g.threads).hasSize(threads.size() - 1);
    }

    @Test
    void debug2IsABlockPerThreadWithItsCreatorInGosLayout() {
        String text = new String(GoProfile.debug2(s), StandardCharsets.UTF_8);
        assertThat(text).contains("""
                thread 30 "transfer-1" [monitor enter on Account@74a14482 owned by "transfer-2", 1 minute]:
                com.acme.Bank.transfer(...)
                \tBank.java:51
                created by com.acme.Bank.transfer in thread 1 "main"
                \tBank.java:51

                """);
        assertThat(text).contains("""
                thread 1 "main" [timed_waiting]:
                java.lang.Thread.sleep(...)
                \tNative Method
                com.acme.Main.main(...)
                \tMain.java:7

                """);
        assertThat(text).contains("thread 40 \"\" [waiting]:\ncreated by com.acme.Service.handle in thread 21 \"pool-1-thread-1\"\n\tService.java:42\n");
        assertThat(text).doesNotContain("threadleak-agent");
    }
}
