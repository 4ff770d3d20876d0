package dev.threadleak.agent.registry;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;

/**
 * Which thread starts and task submissions capture a stack. A capture costs more than a virtual thread's whole
 * start, so captures are sampled by a cheap key that stands for the source line: the class of the code to run,
 * taken from the thread's task (or the submitted task) past the JDK's own wrappers; a lambda's or an anonymous
 * class's class is unique to its place in the source. A thread of a {@code Thread} subclass is keyed by that class.
 * Each key's first starts are captured (until {@link #FIRST} captures are drained), then one in {@code every}.
 *
 * <p>For thread starts the sampling never names a line that did not start the thread: an uncaptured start is
 * counted at the site its key's captures named ({@link Key#site}) only while they all named that one site. A key
 * whose captures name two sites (one class started from two places) is captured on every start from then on
 * ({@link Key#exact}), and the threads it had placed uncaptured are placed nowhere ("not captured"): any of them may
 * have come from the other line. A key of the JDK's or a listed library's class (a pool's worker, a fork-join worker,
 * an event loop, a timer) runs on behalf of many places, so it is exact from the start: those starts, rare next to a
 * request's, are always captured. Needs java.lang, java.util.concurrent and
 * (JDK 19+) jdk.internal.vm opened to the agent, which HookInstaller does before any hook runs; without them every
 * start is keyed by its thread's class alone, which two places share, so it ends up captured every time: the
 * whole cost, never a wrong site.
 */
final class CaptureKeys {
    /**
     * Thread starts: captures of a key drained, all naming one site, before its starts are sampled; enough for two
     * sites behind one key to show. Submissions: uses of a key captured before sampling.
     */
    static final int FIRST = 4;

    /** One key's sampling state. Written by the hooks without a lock: a lost increment only shifts the sampling. */
    static final class Key {
        private int uses;
        /**
         * The one fact the start hook reads: {@link #FIRST} captures drained, all naming one site, which is kept. Set
         * and cleared by the drain ({@link #placed}, {@link #forget}); until then every start is captured.
         */
        private volatile boolean sampling;
        // the drain's own (under the registry's lock):
        /** The site the key's latest drained capture named; null until one is drained, or when it was folded. */
        SiteRecord site;
        /** The key's captures named two sites (or its class is shared by places): every start is captured. */
        private boolean exact;
        /** Captures of this key drained so far, counted up to {@link #FIRST}. */
        private int drained;

        /** Thread starts: every one until the drain turns sampling on, then one in {@code every}. */
        boolean captureStart(int every) {
            int n = uses++;
            return !sampling || n % every == 0;
        }

        Key(boolean exact) {
            this.exact = exact;
        }

        /**
         * The drain placed a captured start of this key at {@code at}. True when this made the key exact: the starts
         * it placed uncaptured may have come from either site.
         */
        boolean placed(SiteRecord at) {
            boolean turnedExact = site != null && site != at && !exact;
            if (turnedExact) exact = true; // one key, two sites: capture every start from now on
            site = at;
            if (drained < FIRST) drained++;
            sampling = !exact && drained == FIRST;
            return turnedExact;
        }

        /** The site an uncaptured start of this key is counted at: its one site, or none once it has named two. */
        SiteRecord siteOfUncaptured() {
            return exact ? null : site;
        }

        /** The key's site was folded out of the table: its next starts are captured until one is drained. */
        void forget() {
            site = null;
            sampling = false;
        }

        /** Submissions (not attributed when uncaptured, so no site to know): the first few, then one in {@code every}. */
        boolean captureSubmission(int every) {
            int n = uses++;
            return n < FIRST || n % every == 0;
        }
    }

    /** A key per class, made on first use. */
    private static final class KeyByClass extends ClassValue<Key> {
        @Override
        protected Key computeValue(Class<?> type) {
            return new Key(Blame.threadMaker(type.getName()));
        }
    }

    private final ClassValue<Key> byClass = new KeyByClass();
    /** Virtual threads and platform threads of one task class are two keys (two start paths, two sites). */
    private final ClassValue<Key> virtualByClass = new KeyByClass();

    /**
     * Builds the JDK field readers, which keys need: called by the agent's set-up after its quiet first second, since
     * building a dozen method handles costs premain milliseconds. Until then the registry and the executors have no
     * keys (they make theirs after this), and every start is captured (as with {@code starts=all}).
     */
    static void prepare() {
        Lookups.load();
    }

    /**
     * What the keys cannot read on this JVM, as a line to say under {@code log=debug}; null when they read all they
     * need. Call after {@link #prepare}.
     */
    static String fallback() {
        List<String> missing = Lookups.missing();
        if (missing.isEmpty()) return null;
        return "cannot read " + String.join(", ", missing) + " (not this JDK's layout, or its package not opened to the agent):"
                + " those starts and tasks are keyed by the class of their thread or of the JDK's wrapper, which many lines share,"
                + " so their stacks are captured every time";
    }

    /** The key of a thread about to be recorded. */
    Key of(Thread thread) {
        Class<?> type = thread.getClass();
        if (type == Thread.class) {
            Object task = Lookups.platformTask(thread);
            return byClass.get(task == null ? type : unwrap(task).getClass());
        }
        if (type == Lookups.VIRTUAL_THREAD) {
            Object task = Lookups.virtualTask(thread);
            return virtualByClass.get(task == null ? type : unwrap(task).getClass());
        }
        return byClass.get(type); // a subclass: its class is the code to run (a subclass's own task is rare)
    }

    /** The key of a task handed to an executor. */
    Key ofTask(Object task) {
        return byClass.get(unwrap(task).getClass());
    }

    /**
     * The user's code inside the JDK's wrappers: a FutureTask's callable, a Runnable adapted to a Callable, a
     * virtual-thread executor's runner, an async CompletableFuture stage's function.
     */
    static Object unwrap(Object task) {
        for (int i = 0; i < 4; i++) { // the wrappers nest at most three deep (submit: FutureTask, RunnableAdapter)
            Object inner = Lookups.inner(task);
            if (inner == null) return task;
            task = inner;
        }
        return task;
    }

    /**
     * Field readers into JDK classes, each null where this JDK lacks the field or does not let the agent in. Static
     * final method handles typed {@code (Object)Object} and called with invokeExact, so compiled hooks read the fields
     * directly (a VarHandle called with other than its exact types goes through a generic adapter). Initialized on
     * first use, after the packages are opened.
     */
    private static final class Lookups {
        static final Class<?> VIRTUAL_THREAD = classOrNull("java.lang.VirtualThread");
        /** JDK 19+: Thread.holder.task; JDK 17: Thread.target. */
        static final MethodHandle HOLDER = field(Thread.class, "holder"), HOLDER_TASK = field(classOrNull("java.lang.Thread$FieldHolder"), "task"),
                TARGET = field(Thread.class, "target");
        /** Virtual threads: VirtualThread.cont.target is the JDK's Runnable around the task, holding it in a field. */
        static final MethodHandle CONT = field(VIRTUAL_THREAD, "cont"), CONT_TARGET = field(classOrNull("jdk.internal.vm.Continuation"), "target");
        static final Class<?> CONT_RUNNER = classOrNull("java.lang.VirtualThread$VThreadContinuation$1");
        static final MethodHandle CONT_RUNNER_TASK = runnableField(CONT_RUNNER);
        static final MethodHandle CALLABLE = field(FutureTask.class, "callable");
        static final Class<?> ADAPTER = classOrNull("java.util.concurrent.Executors$RunnableAdapter");
        static final MethodHandle ADAPTER_TASK = field(ADAPTER, "task");
        static final Class<?> TASK_RUNNER = classOrNull("java.util.concurrent.ThreadPerTaskExecutor$TaskRunner");
        static final MethodHandle TASK_RUNNER_TASK = field(TASK_RUNNER, "task");
        /** CompletableFuture.supplyAsync/runAsync: the stage's task holds the user's function. */
        static final Class<?> ASYNC_SUPPLY = classOrNull("java.util.concurrent.CompletableFuture$AsyncSupply"),
                ASYNC_RUN = classOrNull("java.util.concurrent.CompletableFuture$AsyncRun");
        static final MethodHandle ASYNC_SUPPLY_FN = field(ASYNC_SUPPLY, "fn"), ASYNC_RUN_FN = field(ASYNC_RUN, "fn");

        /** Initializes this class: builds the readers. */
        static void load() {}

        /** The readers this JDK's classes call for but that could not be built: each names the field it reads. */
        static List<String> missing() {
            List<String> out = new ArrayList<>();
            if ((HOLDER == null || HOLDER_TASK == null) && TARGET == null) out.add("Thread's task (holder.task or target)");
            if (VIRTUAL_THREAD != null && (CONT == null || CONT_TARGET == null || CONT_RUNNER_TASK == null)) {
                out.add("VirtualThread's task (cont.target)");
            }
            if (CALLABLE == null) out.add("FutureTask.callable");
            if (ADAPTER != null && ADAPTER_TASK == null) out.add("Executors.RunnableAdapter.task");
            if (TASK_RUNNER != null && TASK_RUNNER_TASK == null) out.add("ThreadPerTaskExecutor.TaskRunner.task");
            if ((ASYNC_SUPPLY != null && ASYNC_SUPPLY_FN == null) || (ASYNC_RUN != null && ASYNC_RUN_FN == null)) out.add("CompletableFuture's async fn");
            return out;
        }

        static Object platformTask(Thread t) {
            if (HOLDER != null && HOLDER_TASK != null) {
                Object h = read(HOLDER, t);
                return h == null ? null : read(HOLDER_TASK, h);
            }
            return TARGET == null ? null : read(TARGET, t);
        }

        static Object virtualTask(Thread t) {
            if (CONT == null || CONT_TARGET == null || CONT_RUNNER_TASK == null) return null;
            Object c = read(CONT, t);
            Object runner = c == null ? null : read(CONT_TARGET, c);
            return runner != null && runner.getClass() == CONT_RUNNER ? read(CONT_RUNNER_TASK, runner) : null;
        }

        /** The task a JDK wrapper holds, or null when {@code task} is no wrapper. */
        static Object inner(Object task) {
            if (task instanceof FutureTask && CALLABLE != null) return read(CALLABLE, task);
            Class<?> type = task.getClass();
            if (type == ADAPTER && ADAPTER_TASK != null) return read(ADAPTER_TASK, task);
            if (type == TASK_RUNNER && TASK_RUNNER_TASK != null) return read(TASK_RUNNER_TASK, task);
            if (type == ASYNC_SUPPLY && ASYNC_SUPPLY_FN != null) return read(ASYNC_SUPPLY_FN, task);
            if (type == ASYNC_RUN && ASYNC_RUN_FN != null) return read(ASYNC_RUN_FN, task);
            return null;
        }

        /** The field {@code getter} reads, of {@code owner} (an instance of the field's class). */
        private static Object read(MethodHandle getter, Object owner) {
            try {
                return (Object) getter.invokeExact(owner);
            } catch (Throwable impossible) {
                return null; // a getter of the owner's own class neither throws nor fails its cast
            }
        }

        private static Class<?> classOrNull(String name) {
            try {
                return Class.forName(name, false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }

        private static MethodHandle field(Class<?> owner, String name) {
            if (owner == null) return null;
            try {
                Field f = owner.getDeclaredField(name);
                return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).unreflectGetter(f)
                        .asType(MethodType.methodType(Object.class, Object.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null; // not this JDK's layout, or its package not opened to the agent
            }
        }

        /** The one Runnable-typed field of the JDK's anonymous runner (javac names it val$task). */
        private static MethodHandle runnableField(Class<?> owner) {
            if (owner == null) return null;
            MethodHandle found = null;
            for (Field f : owner.getDeclaredFields()) {
                if (f.getType() != Runnable.class) continue;
                if (found != null) return null; // two: cannot tell which is the task
                found = field(owner, f.getName());
            }
            return found;
        }
    }
}
