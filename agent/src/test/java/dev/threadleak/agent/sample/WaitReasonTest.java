package dev.threadleak.agent.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WaitReasonTest {
    private static StackTraceElement f(String cls, String method) {
        return new StackTraceElement(cls, method, null, -1);
    }

    private static StackTraceElement[] stack(StackTraceElement... frames) {
        return frames;
    }

    private static final StackTraceElement PARK = f("jdk.internal.misc.Unsafe", "park");
    private static final StackTraceElement LS_PARK = f("java.util.concurrent.locks.LockSupport", "park");
    private static final StackTraceElement APP = f("com.acme.Worker", "run");

    @Test
    void parkedNamesTheFirstFrameBeyondTheParkingMachineryWidenedToItsClass() {
        WaitReason r = WaitReason.of(Thread.State.WAITING, stack(PARK, LS_PARK,
                f("java.util.concurrent.CompletableFuture$Signaller", "block"), f("java.util.concurrent.ForkJoinPool", "managedBlock"),
                f("java.util.concurrent.CompletableFuture", "waitingGet"), f("java.util.concurrent.CompletableFuture", "get"), APP), null, null);
        assertThat(r).isEqualTo(new WaitReason("parked on CompletableFuture.get", false));
        WaitReason lock = WaitReason.of(Thread.State.WAITING, stack(PARK, LS_PARK,
                f("java.util.concurrent.locks.AbstractQueuedSynchronizer", "acquire"),
                f("java.util.concurrent.locks.ReentrantLock$Sync", "lock"), f("java.util.concurrent.locks.ReentrantLock", "lock"), APP),
                "java.util.concurrent.locks.ReentrantLock$NonfairSync@1b2c", "owner-1");
        assertThat(lock.reason()).isEqualTo("parked on ReentrantLock.lock owned by \"owner-1\"");
    }

    @Test
    void monitorsSleepAndObjectWait() {
        assertThat(WaitReason.of(Thread.State.BLOCKED, stack(APP), "com.acme.Account@1b2c", "transfer-2").reason())
                .isEqualTo("monitor enter on Account@1b2c owned by \"transfer-2\"");
        assertThat(WaitReason.of(Thread.State.TIMED_WAITING, stack(f("java.lang.Thread", "sleep0"), f("java.lang.Thread", "sleep"), APP), null, null).reason())
                .isEqualTo("sleeping");
        assertThat(WaitReason.of(Thread.State.WAITING, stack(f("java.lang.Object", "wait0"), f("java.lang.Object", "wait"), APP), "com.acme.Box@77", null).reason())
                .isEqualTo("Object.wait on Box@77");
        assertThat(WaitReason.of(Thread.State.WAITING, stack(f("java.lang.Object", "wait"), f("java.lang.Thread", "join"), APP), "java.lang.Thread@9", null).reason())
                .isEqualTo("Thread.join");
    }

    @Test
    void nativeIoWhileRunnable() {
        assertThat(WaitReason.of(Thread.State.RUNNABLE, stack(f("sun.nio.ch.Net", "poll"), f("sun.nio.ch.NioSocketImpl", "park"),
                f("sun.nio.ch.NioSocketImpl", "timedRead"), f("sun.nio.ch.NioSocketImpl", "read"), APP), null, null))
                .isEqualTo(new WaitReason("socket read", false));
        assertThat(WaitReason.of(Thread.State.RUNNABLE, stack(f("sun.nio.ch.Net", "accept"), f("sun.nio.ch.NioSocketImpl", "accept"),
                f("java.net.ServerSocket", "implAccept"), f("java.net.ServerSocket", "accept"), APP), null, null))
                .isEqualTo(new WaitReason("accept", true));
        assertThat(WaitReason.of(Thread.State.RUNNABLE, stack(f("sun.nio.ch.EPoll", "wait"), f("sun.nio.ch.EPollSelectorImpl", "doSelect"),
                f("sun.nio.ch.SelectorImpl", "lockAndDoSelect"), f("sun.nio.ch.SelectorImpl", "select"), APP), null, null))
                .isEqualTo(new WaitReason("select/epoll wait", true));
        assertThat(WaitReason.of(Thread.State.RUNNABLE, stack(APP), null, null)).isSameAs(WaitReason.RUNNING);
    }

    @Test
    void waitingForWorkIsIdle() {
        WaitReason worker = WaitReason.of(Thread.State.WAITING, stack(PARK, LS_PARK,
                f("java.util.concurrent.LinkedBlockingQueue", "take"), f("java.util.concurrent.ThreadPoolExecutor", "getTask"),
                f("java.util.concurrent.ThreadPoolExecutor", "runWorker")), null, null);
        assertThat(worker).isEqualTo(new WaitReason("idle: pool worker waiting for a task", true));
        assertThat(WaitReason.of(Thread.State.TIMED_WAITING, stack(f("java.lang.Object", "wait"), f("java.util.TimerThread", "mainLoop")), null, null).idle())
                .isTrue();
        // the same queue outside a pool is not idle: a consumer whose producer gave up is stuck
        assertThat(WaitReason.of(Thread.State.WAITING, stack(PARK, LS_PARK, f("java.util.concurrent.LinkedBlockingQueue", "take"), APP), null, null))
                .isEqualTo(new WaitReason("parked on LinkedBlockingQueue.take", false));
    }
}
