package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.registry.Blame;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.registry.SiteTable;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private final CountDownLatch arrived = new CountDownLatch(50);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Thread> parked = new ArrayList<>();

    @AfterEach
    void release() {
        release.countDown();
    }

    /**
     * What the snapshot keeps between samples is what one thread costs the agent's heap: threads parked on one latch
     * name it with one string, not a string per thread and sample.
     */
    @Test
    void threadsParkedOnOneLockShareOneStringForItAcrossSamples() throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            Thread t = new Thread(() -> {
                arrived.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "parked-on-latch-" + i);
            t.setDaemon(true);
            t.start();
            parked.add(t);
        }
        arrived.await();
        long end = System.nanoTime() + 10_000_000_000L;
        while (parked.stream().anyMatch(t -> t.getState() != Thread.State.WAITING) && System.nanoTime() < end) Thread.sleep(5); // poll
        Sampler sampler = new Sampler(new Registry(new SiteTable(32, new Blame(List.of()))), HookFailures.NONE, 0, 60_000, true);

        for (Sampler.Depth depth : new Sampler.Depth[] {Sampler.Depth.PERIODIC, Sampler.Depth.PERIODIC, Sampler.Depth.DUMP}) {
            List<String> blockers = new ArrayList<>();
            for (ThreadEntry t : sampler.read(depth).threads()) {
                if (t.name().startsWith("parked-on-latch-")) blockers.add(t.parkBlocker());
            }
            assertThat(blockers).as(depth.name()).hasSize(50).allMatch(b -> b.startsWith("java.util.concurrent.CountDownLatch$Sync@"));
            assertThat(blockers).as(depth.name()).allMatch(b -> b == blockers.get(0), "the same string");
        }
    }
}
