package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryTest {
    private final Registry registry = new Registry(new SiteTable(32, new Blame(List.of())));

    @Test
    void withoutADrainThePendingStartsAreBoundedAndTheRestCounted() {
        Thread notStarted = new Thread(() -> { });
        int starts = Registry.MAX_PENDING + 1_234;
        for (int i = 0; i < starts; i++) registry.accept(notStarted);
        assertThat(registry.droppedStarts()).isEqualTo(1_234);
        registry.drain();
        assertThat(registry.sites().totalStarted()).isEqualTo(Registry.MAX_PENDING);
        assertThat(registry.anyStartedAlive()).as("starts went unrecorded").isTrue();
    }

    @Test
    void aShortJvmHasSomethingToReportOnlyWhileAThreadItStartedIsAlive() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        registry.accept(t);
        assertThat(registry.anyStartedAlive()).isTrue();
        release.countDown();
        t.join();
        assertThat(registry.anyStartedAlive()).isFalse();
    }

    @Test
    void aPendingRecordDoesNotKeepItsThreadReachable() throws Exception {
        Thread t = new Thread(() -> { });
        registry.accept(t);
        WeakReference<Thread> ref = new WeakReference<>(t);
        t = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10); // polling for the collection, not a timing assumption
        }
        assertThat(ref.get()).as("collected while its start record waits for the drain").isNull();
        registry.drain();
        assertThat(registry.sites().totalStarted()).as("the start is still counted").isEqualTo(1);
        assertThat(registry.liveRecords()).isEmpty();
    }
}
