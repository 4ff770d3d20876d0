package dev.threadleak.agent.it.apps;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Every wait {@code threadleak prove} judges, each thread named for what it should be found: {@code proven-…} can never
 * wake (consumers of an abandoned queue, waiters on a future nothing completes, platform and, on JDK 21+, virtual, a
 * lock-order deadlock, a monitor nobody can notify), {@code live-…} can (a live pool's workers, a consumer whose queue a
 * live producer holds, a monitor a static holds), {@code unprovable-…} wake by themselves or from outside (an abandoned cached pool's idle worker, a sleeper, a
 * socket read). Prints {@code ready} when all of them wait; runs until killed.
 */
public final class ProveCases {
    private static ExecutorService livePool;
    private static final Object HELD_MONITOR = new Object();
    private static Socket heldClient;

    private ProveCases() {}

    public static void main(String[] args) throws Exception {
        startAllAndAwaitTheirWaits(); // no frame of main's holds a thread: one held could be interrupted, and would not be proven
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void startAllAndAwaitTheirWaits() throws Exception {
        List<Thread> all = new ArrayList<>();
        abandonQueue(all);
        abandonFuture(all, Thread::new, "proven-future-waiter");
        if (Runtime.version().feature() >= 21) abandonFuture(all, virtualThreads(), "proven-virtual-future-waiter");
        abandonLockOrderDeadlock(all);
        abandonMonitor(all);
        abandonCachedPool(all);
        livePool = Executors.newFixedThreadPool(2, r -> new Thread(r, "live-pool-worker"));
        livePool.submit(() -> { });
        livePool.submit(() -> { });
        all.add(startConsumerWithLiveProducer(all));
        all.add(startRegisteredConsumer());
        all.add(start(new Thread(() -> waitOn(HELD_MONITOR), "live-monitor-waiter")));
        all.add(start(new Thread(() -> sleep(), "unprovable-sleeper")));
        all.add(start(socketReader()));
        while (!all.stream().allMatch(ProveCases::waits)) Thread.sleep(10); // polling: the test waits for "ready"
    }

    private static boolean waits(Thread t) {
        Thread.State s = t.getState();
        boolean reading = t.getName().startsWith("unprovable-reader") && s == Thread.State.RUNNABLE
                && List.of(t.getStackTrace()).stream().anyMatch(f -> f.getMethodName().contains("read"));
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || reading;
    }

    /** Threads a live registry holds: whoever holds it can interrupt them (as a shutdown hook would). */
    private static final List<Thread> REGISTERED = new ArrayList<>();

    /** A consumer of a queue nothing else holds, whose Thread object a live registry holds: it can be interrupted, so not proven. */
    private static Thread startRegisteredConsumer() {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> take(queue), "live-registered-consumer");
        REGISTERED.add(t);
        return start(t);
    }

    /** A consumer whose queue only a live producer holds (in its frame: it offers once an hour). */
    private static Thread startConsumerWithLiveProducer(List<Thread> all) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        all.add(start(new Thread(() -> {
            while (true) {
                sleep();
                queue.offer("work");
            }
        }, "unprovable-producer")));
        return start(new Thread(() -> take(queue), "live-consumer"));
    }

    private static void abandonQueue(List<Thread> all) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        for (int i = 0; i < 3; i++) all.add(start(new Thread(() -> take(queue), "proven-consumer")));
    }

    private static void abandonFuture(List<Thread> all, ThreadFactory threads, String name) {
        CompletableFuture<Object> never = new CompletableFuture<>();
        for (int i = 0; i < 2; i++) {
            Thread t = threads.newThread(() -> {
                try {
                    never.get();
                } catch (Exception e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setName(name);
            all.add(start(t));
        }
    }

    private static ThreadFactory virtualThreads() throws Exception {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
    }

    private static void abandonLockOrderDeadlock(List<Thread> all) {
        ReentrantLock a = new ReentrantLock(), b = new ReentrantLock();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        all.add(start(new Thread(() -> lockBoth(a, b, bothHoldOne), "proven-deadlock-1")));
        all.add(start(new Thread(() -> lockBoth(b, a, bothHoldOne), "proven-deadlock-2")));
    }

    private static void lockBoth(ReentrantLock first, ReentrantLock second, CountDownLatch bothHoldOne) {
        first.lock();
        bothHoldOne.countDown();
        try {
            bothHoldOne.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        second.lock();
    }

    /** A cached pool dropped with an idle worker: nothing can shut it down, but its workers end after 60 s idle. */
    private static void abandonCachedPool(List<Thread> all) {
        ExecutorService cached = Executors.newCachedThreadPool(r -> new Thread(r, "unprovable-cached-worker"));
        cached.submit(() -> { });
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("unprovable-cached-worker")) all.add(t);
        }
    }

    private static void abandonMonitor(List<Thread> all) {
        Object monitor = new Object();
        all.add(start(new Thread(() -> waitOn(monitor), "proven-monitor-waiter")));
    }

    private static Thread socketReader() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        heldClient = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept();
        return new Thread(() -> {
            try (InputStream in = accepted.getInputStream()) {
                in.read();
            } catch (Exception e) {
                Thread.currentThread().interrupt();
            }
        }, "unprovable-reader");
    }

    private static Thread start(Thread t) {
        t.setDaemon(true); // a virtual thread is one already
        t.start();
        return t;
    }

    /** Takes from {@code queue}, until interrupted (ProverTest's waits too). */
    public static void take(BlockingQueue<Object> queue) {
        try {
            queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits on {@code monitor}, until interrupted. */
    public static void waitOn(Object monitor) {
        synchronized (monitor) {
            try {
                monitor.wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep() {
        try {
            TimeUnit.HOURS.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
