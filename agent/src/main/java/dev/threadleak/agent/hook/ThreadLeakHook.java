package dev.threadleak.agent.hook;

import dev.threadleak.names.SharedNames;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;

/**
 * The one class that hooked JDK methods call. It is never loaded under this name: the agent copies its
 * bytes into {@code java.lang} as {@link #RUNTIME_NAME} (see {@code HookInstaller}), so code inlined into
 * {@code java.lang.Thread} and {@code java.util.concurrent} executors can see it without touching the
 * bootstrap class path. It must therefore refer to JDK types only, and must not throw: every entry point
 * reads its sink once, does nothing while it is unset, and swallows whatever the sink throws: counted in
 * {@link #FAILURES} (the first one kept in {@link #firstFailure}), so dumps and JMX can say it happened.
 */
public final class ThreadLeakHook {
    /** Binary name of the copy defined into java.lang; the inlined calls name this class. */
    public static final String RUNTIME_NAME = SharedNames.HOOK_CLASS;

    /** What {@link #executor} reports. */
    public static final int CREATED = 0, SHUT_DOWN = 1;

    /** Receives every started thread; set once by the agent, null until then. */
    public static volatile Consumer<Thread> onStart;
    /** Receives executor life-cycle events: the executor and {@link #CREATED} or {@link #SHUT_DOWN}. */
    public static volatile ObjIntConsumer<Object> onExecutor;
    /** Receives each pool worker thread with its executor, when the worker is created. */
    public static volatile BiConsumer<Object, Thread> onWorker;
    /** Receives each task handed to an executor (the executor, the task object). */
    public static volatile BiConsumer<Object, Object> onSubmit;
    /** Receives each task a pool worker is about to run, on the worker's thread (the executor, the task). */
    public static volatile BiConsumer<Object, Object> onRun;
    /**
     * Not a hook: the agent's in-process view of live threads for test libraries (threadleak-junit), which read
     * it by reflection from any class loader. Documented in {@code dev.threadleak.agent.registry.ThreadFacts}.
     */
    public static volatile Supplier<java.util.Map<Thread, java.util.Map<String, Object>>> threads;

    /**
     * Not a hook: whether this JVM is writing a CDS archive or an AOT cache ({@code jdk.internal.misc.CDS}), asked at
     * install time. Code in java.base, as this class is once defined, reaches that package without its being opened to
     * the agent (and so to the application's class path). False when it cannot tell.
     */
    public static boolean writingArchive() {
        try {
            return (boolean) MethodHandles.lookup().findStatic(Class.forName("jdk.internal.misc.CDS"), "isDumpingArchive",
                    MethodType.methodType(boolean.class)).invokeExact();
        } catch (Throwable cannotTell) {
            return false;
        }
    }

    /** Throwables the sinks threw, each swallowed (the host's call went on, unrecorded). Lock-free, allocation-free. */
    public static final AtomicLong FAILURES = new AtomicLong();
    /** The first of them, as {@code Throwable.toString()}; null until then. */
    public static volatile String firstFailure;

    private ThreadLeakHook() {}

    private static void failed(Throwable t) {
        try {
            if (FAILURES.getAndIncrement() == 0) firstFailure = String.valueOf(t);
        } catch (Throwable ignored) {
            // out of memory, or a toString() that throws: the count is what matters
        }
    }

    /** Called on normal return from Thread.start(), Thread.start(ThreadContainer) and VirtualThread.start(ThreadContainer). */
    public static void started(Thread thread) {
        Consumer<Thread> sink = onStart;
        if (sink != null) {
            try {
                sink.accept(thread);
            } catch (Throwable t) {
                failed(t); // never let the agent break Thread.start
            }
        }
    }

    /** Called on return from an executor's constructor ({@link #CREATED}) and on entry to shutdown/shutdownNow/close. */
    public static void executor(Object executor, int event) {
        ObjIntConsumer<Object> sink = onExecutor;
        if (sink != null) {
            try {
                sink.accept(executor, event);
            } catch (Throwable t) {
                failed(t); // never let the agent break the executor
            }
        }
    }

    /** Called on return from ThreadPoolExecutor.Worker's constructor: its executor and its (not yet started) thread. */
    public static void worker(Object executor, Thread worker) {
        if (worker != null) accept(onWorker, executor, worker);
    }

    /** Called on entry to ThreadPoolExecutor.execute and ScheduledThreadPoolExecutor.delayedExecute. */
    public static void submitted(Object executor, Object task) {
        accept(onSubmit, executor, task);
    }

    /** Called in ThreadPoolExecutor.runWorker just before each task runs. */
    public static void running(Object executor, Object task) {
        accept(onRun, executor, task);
    }

    /** The executor hooks' one body: hands the pair to the sink read once by the caller, if set. */
    private static <T> void accept(BiConsumer<Object, T> sink, Object executor, T value) {
        if (sink != null) {
            try {
                sink.accept(executor, value);
            } catch (Throwable t) {
                failed(t); // never let the agent break the executor
            }
        }
    }
}
