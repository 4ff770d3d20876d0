package dev.threadleak.agent.sample;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.names.SharedNames;
import java.util.List;
import java.util.Set;

/**
 * Says in words what a thread is waiting for, from its state, stack and lock, like Go's
 * {@code [chan receive]}: {@code parked on LinkedBlockingQueue.take}, {@code monitor enter on Account@1b2c
 * owned by "transfer-2"}, {@code Object.wait on Foo@…}, {@code sleeping}, {@code socket read},
 * {@code accept}, {@code select/epoll wait}, {@code running}; and whether the thread is idle, waiting for
 * work the way a healthy pool worker, timer, listener or event loop does.
 */
public record WaitReason(String reason, boolean idle) {
    static final WaitReason RUNNING = new WaitReason(ThreadEntry.RUNNING, false);

    /**
     * True for {@link #RUNNING}, the one instance {@link #of} returns for a running thread. By identity: a record's
     * equals is a method-handle chain whose use after a few dozen calls loads a JDK class, and samples after set-up
     * load none (HostSafetyIT.dumpsAfterSetUpLoadNoClass).
     */
    @SuppressWarnings("ReferenceEquality")
    boolean running() {
        return this == RUNNING;
    }

    /** Classes whose frames are the machinery of parking, never what the thread waits on. */
    private static final Set<String> PARKING = Set.of(
            "jdk.internal.misc.Unsafe", "sun.misc.Unsafe", "java.util.concurrent.locks.LockSupport",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer", "java.util.concurrent.locks.AbstractQueuedLongSynchronizer",
            "java.util.concurrent.ForkJoinPool", "java.util.concurrent.CompletableFuture$Signaller",
            "java.lang.VirtualThread", "java.lang.System", "jdk.internal.misc.VirtualThreads",
            "jdk.internal.vm.Continuation", "java.lang.Thread");

    /** Stack frames that mean "waiting for work", with how to say it. */
    private static final List<String[]> IDLE = List.of(
            // ThreadPoolExecutor.getTask (JDK 17 to 25): a worker between tasks, queue.take() or poll(keepAlive)
            new String[] {"java.util.concurrent.ThreadPoolExecutor", "getTask", "pool worker waiting for a task"},
            // ForkJoinPool.awaitWork (JDK 17 to 25): a worker with nothing to steal, parked until signalled
            new String[] {"java.util.concurrent.ForkJoinPool", "awaitWork", "ForkJoinPool worker waiting for a task"},
            // java.util.Timer's thread, TimerThread.mainLoop (JDK 1.3 to 25): queue.wait() until the next task is due
            new String[] {"java.util.TimerThread", "mainLoop", "Timer waiting for its next task"},
            // ReferenceQueue.remove (JDK 17 to 25): the "Finalizer" and "Common-Cleaner" threads (jdk.internal.ref.CleanerImpl.run)
            new String[] {"java.lang.ref.ReferenceQueue", "remove", "waiting on a reference queue"},
            // "RMI GC Daemon" (JDK 17 to 25): waits on GC$LatencyLock until the next collection it asks for is due
            new String[] {"sun.rmi.transport.GC$Daemon", "run", "RMI GC daemon waiting for its next collection"},
            // an RMI client's lease renewer, "RenewClean-[...]" (JDK 17 to 25): waits until the next lease renewal
            new String[] {"sun.rmi.transport.DGCClient$EndpointEntry$RenewCleanThread", "run", "RMI lease renewer waiting"},
            // "JMX server connection timeout N" (JDK 17 to 25): one per idle connection, ending when it times out
            new String[] {"com.sun.jmx.remote.internal.ServerCommunicatorAdmin$Timeout", "run", "JMX connection timeout waiting"},
            // "JMX client heartbeat N" (JDK 17 to 25): checks its connection every period
            new String[] {"com.sun.jmx.remote.internal.ClientCommunicatorAdmin$Checker", "run", "JMX client heartbeat waiting"},
            // Jetty's QueuedThreadPool (9.4 to 12.1): a worker waiting for a job, and a reserved thread waiting to be handed one
            new String[] {"org.eclipse.jetty.util.thread.QueuedThreadPool$Runner", "idleJobPoll", "Jetty pool worker waiting for a job"},
            new String[] {"org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread", "waitForTask", "Jetty reserved thread waiting for a job"},
            new String[] {"org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread", "reservedWait", "Jetty reserved thread waiting for a job"},
            // Netty's single-threaded executors (4.1, 4.2): DefaultEventExecutor and GlobalEventExecutor taking their next task
            new String[] {"io.netty.util.concurrent.SingleThreadEventExecutor", "takeTask", "Netty executor waiting for a task"},
            new String[] {"io.netty.util.concurrent.GlobalEventExecutor", "takeTask", "Netty executor waiting for a task"},
            // OkHttp's task runner (4.x, 5.x): its coordinator waiting for the next task (connection-pool cleanup, ...)
            new String[] {"okhttp3.internal.concurrent.TaskRunner", "awaitTaskToRun", "OkHttp task runner waiting for its next task"});

    /**
     * Server threads of a kept-alive connection reading the client's next request: idle, where a socket read elsewhere
     * (a call that waits for its answer) is not. Each: the frame that reads the next request, and the frame under which
     * a request is being served (then the read is the request's own).
     */
    private static final List<String[]> IDLE_READS = List.<String[]>of(
            // RMI's server side (JDK 17 to 25), "RMI TCP Connection(N)-host": handleMessages reads the next operation, a call runs under serviceCall
            new String[] {"sun.rmi.transport.tcp.TCPTransport", "handleMessages", "sun.rmi.transport.Transport", "serviceCall",
                    "RMI connection waiting for its next call"});

    /**
     * What a thread in {@code state} with {@code stack} is doing.
     *
     * @param lock  what it waits for ({@code Class@hash}), or null
     * @param owner the name of the thread holding it, or null
     */
    public static WaitReason of(Thread.State state, StackTraceElement[] stack, String lock, String owner) {
        String io = nativeWait(stack);
        if (io != null && io.equals("socket read")) {
            for (String[] read : IDLE_READS) {
                if (has(stack, read[0], read[1]) && !has(stack, read[2], read[3])) return new WaitReason("idle: " + read[4], true);
            }
        }
        if (io != null) return new WaitReason(io, io.equals("accept") || io.equals("select/epoll wait"));
        // the "Reference Handler" thread waits inside the VM, RUNNABLE, in Reference.waitForReferencePendingList (JDK 9 to 25)
        if (stack.length > 0 && stack[0].getClassName().equals("java.lang.ref.Reference")
                && stack[0].getMethodName().equals("waitForReferencePendingList")) return new WaitReason("idle: reference handler waiting for references", true);
        if (state == Thread.State.RUNNABLE || state == Thread.State.NEW || state == Thread.State.TERMINATED) return RUNNING;
        for (String[] idle : IDLE) {
            if (has(stack, idle[0], idle[1])) return new WaitReason("idle: " + idle[2], true);
        }
        String ownedBy = owner == null ? "" : SharedNames.WAIT_OWNED_BY + "\"" + owner + "\"";
        if (state == Thread.State.BLOCKED) return new WaitReason(SharedNames.WAIT_MONITOR_ENTER_ON + shortLock(lock) + ownedBy, false);
        if (stack.length == 0) return new WaitReason(state == Thread.State.TIMED_WAITING ? SharedNames.WAIT_TIMED_WAITING : SharedNames.WAIT_WAITING, false);
        StackTraceElement top = stack[0];
        if (Frame.isObjectWait(top.getClassName(), top.getMethodName())) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().equals("java.lang.Thread") && e.getMethodName().equals("join")) return new WaitReason(SharedNames.WAIT_THREAD_JOIN, false);
            }
            return new WaitReason(SharedNames.WAIT_OBJECT_WAIT_ON + shortLock(lock), false);
        }
        if (has(stack, "java.lang.Thread", "sleep") || has(stack, "java.lang.VirtualThread", "sleepNanos")) return new WaitReason(SharedNames.WAIT_SLEEPING, false);
        return new WaitReason(SharedNames.WAIT_PARKED_ON + parkedOn(stack) + ownedBy, false);
    }

    /** Blocking calls that leave the thread RUNNABLE in native code (I/O): {@code socket read}, {@code accept}, {@code select/epoll wait}; or null. */
    public static String nativeWait(StackTraceElement[] stack) {
        int n = Math.min(stack.length, 12);
        for (int i = 0; i < n; i++) {
            String cls = stack[i].getClassName(), m = stack[i].getMethodName();
            if (m.startsWith("accept") && (cls.equals("java.net.ServerSocket") || cls.equals("sun.nio.ch.ServerSocketChannelImpl")
                    || cls.equals("sun.nio.ch.NioSocketImpl"))) return "accept";
            if (cls.equals("sun.nio.ch.SelectorImpl") && m.startsWith("select")) return "select/epoll wait";
            if ((cls.equals("sun.nio.ch.NioSocketImpl") && (m.equals("read") || m.equals("timedRead")))
                    || (cls.equals("java.net.SocketInputStream") && m.startsWith("socketRead"))
                    || (cls.equals("sun.nio.ch.SocketChannelImpl") && m.equals("read"))) return "socket read";
        }
        return null;
    }

    /** The first frame past the parking machinery, widened to the outermost frame of its class: {@code CompletableFuture.get}. */
    private static String parkedOn(StackTraceElement[] stack) {
        int i = 0;
        while (i < stack.length && parking(stack[i].getClassName())) i++;
        if (i == stack.length) return "LockSupport.park";
        String cls = outer(stack[i].getClassName());
        while (i + 1 < stack.length && outer(stack[i + 1].getClassName()).equals(cls)) i++;
        return simple(stack[i].getClassName()) + "." + stack[i].getMethodName();
    }

    private static boolean parking(String cls) {
        return PARKING.contains(cls) || PARKING.contains(outer(cls));
    }

    private static boolean has(StackTraceElement[] stack, String cls, String method) {
        for (StackTraceElement e : stack) {
            if (e.getMethodName().equals(method) && e.getClassName().equals(cls)) return true;
        }
        return false;
    }

    private static String outer(String cls) {
        int d = cls.indexOf('$');
        return d < 0 ? cls : cls.substring(0, d);
    }

    private static String simple(String cls) {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    /** {@code java.util.concurrent.locks.ReentrantLock$NonfairSync@1b2c} → {@code ReentrantLock$NonfairSync@1b2c}. */
    static String shortLock(String lock) {
        return lock == null ? "?" : lock.substring(lock.lastIndexOf('.', lock.indexOf('@') < 0 ? lock.length() : lock.indexOf('@')) + 1);
    }
}
