package dev.threadleak.agent.hook;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One JDK method the agent hooks, and in {@link #ALL} the one table of them: the installer's classes
 * ({@link #CLASSES}), the methods the weaver writes calls into, the frames cut from the top of creation stacks
 * ({@link #cutFromStacks}) and the JDK's executor classes ({@link #EXECUTOR_CLASSES}) all come from it.
 *
 * <p>Thread starts, each reached exactly once per started thread, on normal return (a start that throws is
 * not recorded):
 * <ul>
 *   <li>{@code Thread.start()}: every platform thread on JDK 17; plain platform threads on 19+.</li>
 *   <li>{@code Thread.start(ThreadContainer)} (JDK 19+): pool workers of ThreadPoolExecutor, ForkJoinPool
 *       and thread-per-task executors.</li>
 *   <li>{@code VirtualThread.start(ThreadContainer)} (JDK 19+): every virtual thread;
 *       {@code VirtualThread.start()} only delegates to it, so it is left alone.</li>
 * </ul>
 * Executors ({@code ThreadPoolExecutor} and so {@code ScheduledThreadPoolExecutor}, {@code ForkJoinPool},
 * and on JDK 21+ {@code ThreadPerTaskExecutor}): the return of each constructor that does not delegate to
 * another of its class (one event per executor, whatever constructor the caller used), and the entry of
 * {@code shutdown}, {@code shutdownNow} and {@code close}. ThreadPoolExecutor's tasks: the entry of
 * {@code execute} and of {@code ScheduledThreadPoolExecutor.delayedExecute} (every submission path ends in
 * one of them), the return of {@code Worker}'s constructor (a worker and its executor), and the
 * {@code task.run()} call in {@code runWorker}. ForkJoinPool's tasks: the entry of {@code externalPush} (17)
 * or {@code poolSubmit} (19+), a task handed over from outside the pool, and of
 * {@code WorkQueue.topLevelExec}, a top-level task a worker is about to run. No task object is wrapped or
 * replaced. Methods a JDK lacks are not there to hook; classes it lacks are skipped.
 *
 * <p>Read in premain: plain final instances, no lambdas.
 */
public final class HookPoint {
    /** What the call written into a hooked method reports, and where in the method it is. */
    public enum Call {
        /** A thread started: before each return. */
        STARTED,
        /** An executor built: before each return of a constructor that does not delegate to another of its class. */
        CREATED,
        /** An executor shut down: on entry. */
        SHUT_DOWN,
        /** A task handed to a ThreadPoolExecutor (the method's first argument): on entry. */
        SUBMITTED,
        /** A ThreadPoolExecutor made a worker: before each return of its constructor. */
        WORKER_MADE,
        /** A task handed to a ForkJoinPool from outside it, as the first argument ({@code externalPush}): on entry. */
        FJ_SUBMITTED_1,
        /** The same, as the second argument ({@code poolSubmit}): on entry. */
        FJ_SUBMITTED_2,
        /** A fork-join worker about to run a top-level task: on entry. */
        FJ_RUNNING,
        /** A ThreadPoolExecutor's worker about to run a task: just before {@code task.run()} in {@code runWorker}. */
        BEFORE_TASK_RUN;

        /**
         * True when the call may capture its caller's stack (a thread start's, an executor's construction, a
         * submission's): the hooked method's frames are cut from the top of that stack.
         */
        public boolean capturesStack() {
            return this == STARTED || this == CREATED || this == SUBMITTED || this == FJ_SUBMITTED_1 || this == FJ_SUBMITTED_2;
        }

        /** True when the hooked method is the executor's own: its {@code this} is the executor the call reports. */
        boolean ofExecutor() {
            return this != STARTED && this != WORKER_MADE && this != FJ_RUNNING;
        }
    }

    public static final String THREAD = "java/lang/Thread", VIRTUAL_THREAD = "java/lang/VirtualThread",
            TPE = "java/util/concurrent/ThreadPoolExecutor", WORKER = "java/util/concurrent/ThreadPoolExecutor$Worker",
            STPE = "java/util/concurrent/ScheduledThreadPoolExecutor", FJP = "java/util/concurrent/ForkJoinPool",
            FJP_QUEUE = "java/util/concurrent/ForkJoinPool$WorkQueue", PER_TASK = "java/util/concurrent/ThreadPerTaskExecutor";
    private static final String START_IN_CONTAINER = "(Ljdk/internal/vm/ThreadContainer;)V", ANY = "(", NO_ARGUMENTS = "()";

    /** Every hook point; classes in the order they are put in (a superclass before its subclasses). */
    public static final List<HookPoint> ALL = List.of(
            new HookPoint(THREAD, "start", "()V", Call.STARTED),
            new HookPoint(THREAD, "start", START_IN_CONTAINER, Call.STARTED),
            new HookPoint(VIRTUAL_THREAD, "start", START_IN_CONTAINER, Call.STARTED),
            new HookPoint(TPE, "<init>", ANY, Call.CREATED),
            new HookPoint(TPE, "shutdown", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(TPE, "shutdownNow", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(TPE, "close", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(TPE, "execute", "(Ljava/lang/Runnable;)V", Call.SUBMITTED),
            new HookPoint(TPE, "runWorker", ANY, Call.BEFORE_TASK_RUN),
            new HookPoint(WORKER, "<init>", ANY, Call.WORKER_MADE),
            new HookPoint(STPE, "delayedExecute", ANY, Call.SUBMITTED),
            new HookPoint(FJP, "<init>", ANY, Call.CREATED),
            new HookPoint(FJP, "shutdown", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(FJP, "shutdownNow", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(FJP, "close", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(FJP, "externalPush", "(Ljava/util/concurrent/ForkJoinTask;", Call.FJ_SUBMITTED_1),
            new HookPoint(FJP, "poolSubmit", "(ZLjava/util/concurrent/ForkJoinTask;", Call.FJ_SUBMITTED_2),
            new HookPoint(FJP_QUEUE, "topLevelExec", "(Ljava/util/concurrent/ForkJoinTask;", Call.FJ_RUNNING),
            new HookPoint(PER_TASK, "<init>", ANY, Call.CREATED),
            new HookPoint(PER_TASK, "shutdown", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(PER_TASK, "shutdownNow", NO_ARGUMENTS, Call.SHUT_DOWN),
            new HookPoint(PER_TASK, "close", NO_ARGUMENTS, Call.SHUT_DOWN));

    /** Every class hooked (internal names), in the order they are put in; those a JDK lacks are skipped. */
    public static final List<String> CLASSES = classes();
    /** The JDK's executor classes whose own methods are hooked (binary names). */
    public static final Set<String> EXECUTOR_CLASSES = executorClasses();

    /** The owning class, as an internal name ({@code java/lang/Thread}). */
    public final String owner;
    /** The owning class, as a binary name ({@code java.lang.Thread}): as stack frames name it. */
    public final String className;
    public final String method;
    /** The start of the method's descriptor: a whole descriptor, or its arguments' start, or {@code (} for any. */
    public final String descriptorPrefix;
    public final Call call;

    private HookPoint(String owner, String method, String descriptorPrefix, Call call) {
        this.owner = owner;
        this.className = owner.replace('/', '.');
        this.method = method;
        this.descriptorPrefix = descriptorPrefix;
        this.call = call;
    }

    /** The hook point of a method (internal class name, name, descriptor), or null when it is not hooked. */
    public static HookPoint of(String owner, String method, String descriptor) {
        for (HookPoint p : ALL) {
            if (p.owner.equals(owner) && p.method.equals(method) && descriptor.startsWith(p.descriptorPrefix)) return p;
        }
        return null;
    }

    /**
     * True for a frame (binary class name, method) cut from the top of the stacks the hooks capture, which start
     * inside the hook: a hooked method whose call captures the stack, or a constructor of an executor class
     * ({@code ScheduledThreadPoolExecutor}'s runs the hooked one of {@code ThreadPoolExecutor}).
     */
    public static boolean cutFromStacks(String className, String method) {
        if (method.equals("<init>") && EXECUTOR_CLASSES.contains(className)) return true;
        for (HookPoint p : ALL) {
            if (p.call.capturesStack() && p.method.equals(method) && p.className.equals(className)) return true;
        }
        return false;
    }

    private static Set<String> executorClasses() {
        Set<String> executors = new HashSet<>();
        for (HookPoint p : ALL) {
            if (p.call.ofExecutor()) executors.add(p.className);
        }
        return Set.copyOf(executors);
    }

    private static List<String> classes() {
        List<String> classes = new ArrayList<>();
        for (HookPoint p : ALL) {
            if (!classes.contains(p.owner)) classes.add(p.owner);
        }
        return List.copyOf(classes);
    }
}
