package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExecutorTableTest {
    /**
     * Two tasks in flight whose identity hashes meet in one slot of the sampled-task table: each is seen running with its
     * own captured submission. With one slot a task, the second replaced the first, whose submission read as not
     * captured (ExecutorsIT's stuck fork-join tasks, about one run in a hundred).
     */
    @Test
    void twoTasksInFlightWhoseSlotsMeetKeepTheirSubmissions() {
        ExecutorTable table = new ExecutorTable(1); // every submission captured
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        try {
            Runnable[] meeting = tasksInOneFirstSlot();
            table.submitted(executor, meeting[0]);
            table.submitted(executor, meeting[1]);
            for (Runnable task : meeting) {
                table.running(executor, task);
                SampledTask seen = table.worker(Thread.currentThread().getId()).task();
                assertThat(seen).as("submission of a task that met another in its slot").isNotNull();
                assertThat(seen.get()).isSameAs(task);
            }
        } finally {
            executor.shutdown();
        }
    }

    /** Two tasks whose identity hashes share their low 10 bits (found by trying: about 40 tasks on average). */
    private static Runnable[] tasksInOneFirstSlot() {
        Map<Integer, Runnable> bySlot = new HashMap<>();
        while (true) {
            Runnable task = new Runnable() {
                @Override
                public void run() { }
            };
            Runnable met = bySlot.putIfAbsent(System.identityHashCode(task) & 1023, task);
            if (met != null) return new Runnable[] {met, task};
        }
    }
}
