package dev.threadleak.agent.it.apps;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What executor users rely on about their task objects, checked by the program itself: remove(task),
 * shutdownNow()'s list, a queue that casts its elements to the application's type, FutureTask identity.
 * Prints "identity ok" and exits 0, or the first broken promise and exits 1.
 */
public final class TaskIdentity {
    private TaskIdentity() {}

    /** The application's own task type. */
    static final class Job implements Runnable {
        final CountDownLatch gate;

        Job(CountDownLatch gate) {
            this.gate = gate;
        }

        @Override
        public void run() {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A queue that only takes Jobs: it casts every element it is offered. */
    static final class JobQueue extends LinkedBlockingQueue<Runnable> {
        @Override
        public boolean offer(Runnable r) {
            Job job = (Job) r; // a wrapped task would fail here
            return super.offer(job);
        }
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new JobQueue());
        Job running = new Job(gate), first = new Job(gate), second = new Job(gate);
        pool.execute(running);
        pool.execute(first);
        pool.execute(second);
        check(pool.getQueue().contains(first), "the queue holds the task object given to execute");
        check(pool.remove(second), "remove(task) finds the queued task");
        List<Runnable> left = pool.shutdownNow();
        check(left.size() == 1 && left.get(0) == first, "shutdownNow() returns the user's own task objects, got " + left);
        gate.countDown();

        ThreadPoolExecutor futures = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        FutureTask<String> own = new FutureTask<>(() -> "mine");
        futures.execute(own);
        check("mine".equals(own.get(10, TimeUnit.SECONDS)), "a FutureTask given to execute is the one that runs");
        CountDownLatch hold = new CountDownLatch(1);
        futures.submit(() -> hold.await(10, TimeUnit.SECONDS));
        Future<String> queued = futures.submit(() -> "later");
        check(futures.getQueue().contains(queued), "the Future submit returned is the object queued");
        hold.countDown();
        check("later".equals(queued.get(10, TimeUnit.SECONDS)), "the Future submit returned completes with the task's value");
        futures.shutdown();
        System.out.println("identity ok");
    }

    private static void check(boolean ok, String promise) {
        if (!ok) {
            System.out.println("FAIL: " + promise);
            System.exit(1);
        }
    }
}
