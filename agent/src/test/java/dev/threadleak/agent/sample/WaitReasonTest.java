package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.RealStacks;
import dev.threadleak.agent.RealStacks.CapturingFactory;
import dev.threadleak.agent.RealStacks.Held;
import java.lang.ref.Cleaner;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Selector;
import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** Every reason from a real thread in that wait on the running JDK (see {@link RealStacks}), read as the sampler reads it. */
class WaitReasonTest {
    private final CountDownLatch release = new CountDownLatch(1);

    /** What the sampler says of a held thread (Sampler.platformEntry: its state, stack, lock and the lock's owner). */
    private static WaitReason of(Held h) {
        return WaitReason.of(h.state(), h.stack(), h.lock(), h.owner());
    }

    /** Objects whose monitors the threads wait on: the reasons name their class. */
    static final class Account {}

    static final class Box {}

    private static String hash(Object o) {
        return Integer.toHexString(System.identityHashCode(o));
    }

    @Test
    void parkedNamesTheFirstFrameBeyondTheParkingMachineryWidenedToItsClass() throws Exception {
        try (Held get = RealStacks.start("get", () -> new CompletableFuture<Void>().get())) {
            assertThat(of(get)).isEqualTo(new WaitReason("parked on CompletableFuture.get", false));
        }
        ReentrantLock lock = new ReentrantLock();
        // the owner unlocks as it ends, so the waiter (lock() ignores the interrupt that closes it) gets the lock and ends too:
        // a waiter left parked on a lock its dead owner kept is a thread this suite would leak (threadleak prove found it)
        try (Held owner = RealStacks.start("owner-1", () -> {
                 lock.lock();
                 try {
                     release.await();
                 } finally {
                     lock.unlock();
                 }
             });
             Held waiter = RealStacks.start("waiter", lock::lock)) {
            assertThat(of(waiter)).isEqualTo(new WaitReason("parked on ReentrantLock.lock owned by \"owner-1\"", false));
        }
    }

    @Test
    void monitorsSleepAndObjectWait() throws Exception {
        Account account = new Account();
        try (Held owner = RealStacks.start("transfer-2", () -> {
                 synchronized (account) {
                     release.await();
                 }
             });
             Held blocked = RealStacks.start("transfer-1", () -> {
                 synchronized (account) {
                     account.notifyAll(); // any use: it only needs to enter
                 }
             })) {
            assertThat(of(blocked).reason()).isEqualTo("monitor enter on WaitReasonTest$Account@" + hash(account) + " owned by \"transfer-2\"");
        }
        try (Held sleeper = RealStacks.start("sleeper", () -> Thread.sleep(Long.MAX_VALUE))) {
            assertThat(of(sleeper).reason()).isEqualTo("sleeping");
        }
        Box box = new Box();
        try (Held waiter = RealStacks.start("waiter", () -> {
                synchronized (box) {
                    box.wait();
                }
            })) {
            assertThat(of(waiter).reason()).isEqualTo("Object.wait on WaitReasonTest$Box@" + hash(box));
        }
        try (Held sleeper = RealStacks.start("sleeper", () -> Thread.sleep(Long.MAX_VALUE));
             Held joiner = RealStacks.start("joiner", () -> sleeper.thread().join())) {
            assertThat(of(joiner).reason()).isEqualTo("Thread.join");
        }
    }

    @Test
    void nativeIoWhileRunnable() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
             Socket accepted = server.accept();
             Held reader = RealStacks.start("reader", () -> client.getInputStream().read())) {
            assertThat(of(reader)).isEqualTo(new WaitReason("socket read", false));
        }
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Held listener = RealStacks.start("listener", server::accept)) {
            assertThat(of(listener)).isEqualTo(new WaitReason("accept", true));
        }
        try (Selector selector = Selector.open();
             Held loop = RealStacks.start("event-loop", selector::select)) {
            assertThat(of(loop)).isEqualTo(new WaitReason("select/epoll wait", true));
        }
        assertThat(WaitReason.of(Thread.State.RUNNABLE, Thread.currentThread().getStackTrace(), null, null)).isSameAs(WaitReason.RUNNING);
    }

    @Test
    void waitingForWorkIsIdle() throws Exception {
        CapturingFactory workers = new CapturingFactory();
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        pool.submit(() -> { }).get();
        try (Held worker = RealStacks.whenWaiting(workers.firstThread(), pool::shutdownNow)) {
            assertThat(of(worker)).isEqualTo(new WaitReason("idle: pool worker waiting for a task", true));
        }
        CapturingFactory forkJoinWorkers = new CapturingFactory();
        ForkJoinPool forkJoin = new ForkJoinPool(1, forkJoinWorkers, null, false);
        forkJoin.submit(() -> { }).get();
        try (Held worker = RealStacks.whenWaiting(forkJoinWorkers.firstThread(), forkJoin::shutdownNow)) {
            assertThat(of(worker)).isEqualTo(new WaitReason("idle: ForkJoinPool worker waiting for a task", true));
        }
        Timer timer = new Timer("timer-under-test", true);
        try (Held timerThread = RealStacks.named("timer-under-test", timer::cancel)) {
            assertThat(of(timerThread)).isEqualTo(new WaitReason("idle: Timer waiting for its next task", true));
        }
        try (Held handler = RealStacks.named("Reference Handler")) {
            // RUNNABLE while it waits inside the VM (JDK 17 and 25), and idle all the same
            assertThat(of(handler)).isEqualTo(new WaitReason("idle: reference handler waiting for references", true));
        }
        CapturingFactory cleanerThreads = new CapturingFactory();
        Cleaner.create(cleanerThreads);
        try (Held cleaner = RealStacks.whenWaiting(cleanerThreads.firstThread())) {
            assertThat(of(cleaner)).isEqualTo(new WaitReason("idle: waiting on a reference queue", true));
        }
        // the same queue outside a pool is not idle: a consumer whose producer gave up is stuck
        try (Held consumer = RealStacks.start("consumer", () -> new LinkedBlockingQueue<>().take())) {
            assertThat(of(consumer)).isEqualTo(new WaitReason("parked on LinkedBlockingQueue.take", false));
        }
    }

    private static StackTraceElement frame(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    /** Frames as JDK 17 to 25 show them (the RMI and JMX threads a remote JMX connector runs; Jetty 12.1's pool). */
    @Test
    void connectorAndServerThreadsWaitingForTheirNextRequestAreIdle() {
        StackTraceElement read = frame("sun.nio.ch.NioSocketImpl", "read"), handle = frame("sun.rmi.transport.tcp.TCPTransport", "handleMessages");
        StackTraceElement[] betweenCalls = {frame("sun.nio.ch.Net", "poll"), read, frame("java.io.BufferedInputStream", "read"),
                frame("java.io.DataInputStream", "read"), handle, frame("sun.rmi.transport.tcp.TCPTransport$ConnectionHandler", "run0")};
        assertThat(WaitReason.of(Thread.State.RUNNABLE, betweenCalls, null, null)).isEqualTo(new WaitReason("idle: RMI connection waiting for its next call", true));
        // a call in progress that reads a socket itself is not idle
        StackTraceElement[] inCall = {frame("sun.nio.ch.Net", "poll"), read, frame("com.acme.Remote", "fetch"),
                frame("sun.rmi.transport.Transport", "serviceCall"), handle};
        assertThat(WaitReason.of(Thread.State.RUNNABLE, inCall, null, null)).isEqualTo(new WaitReason("socket read", false));
        StackTraceElement[] gcDaemon = {frame("java.lang.Object", "wait"), frame("sun.rmi.transport.GC$Daemon", "run")};
        assertThat(WaitReason.of(Thread.State.TIMED_WAITING, gcDaemon, "sun.rmi.transport.GC$LatencyLock@1b2c", null).idle()).isTrue();
        StackTraceElement[] jetty = {frame("jdk.internal.misc.Unsafe", "park"), frame("java.util.concurrent.locks.AbstractQueuedSynchronizer$ConditionObject", "awaitNanos"),
                frame("org.eclipse.jetty.util.thread.AutoLock$WithCondition", "awaitNanos"),
                frame("org.eclipse.jetty.util.thread.QueuedThreadPool$Runner", "idleJobPoll"), frame("org.eclipse.jetty.util.thread.QueuedThreadPool$Runner", "run")};
        assertThat(WaitReason.of(Thread.State.TIMED_WAITING, jetty, null, null)).isEqualTo(new WaitReason("idle: Jetty pool worker waiting for a job", true));
    }
}
