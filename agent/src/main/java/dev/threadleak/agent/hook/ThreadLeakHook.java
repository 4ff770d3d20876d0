package dev.threadleak.agent.hook;

import java.util.function.Consumer;

/**
 * The one class that hooked JDK methods call. It is never loaded under this name: the agent copies its
 * bytes into {@code java.lang} as {@link #RUNTIME_NAME} (see {@code HookInstaller}), so code inlined into
 * {@code java.lang.Thread} can see it without touching the bootstrap class path. It must therefore refer
 * to JDK types only, and must not throw.
 */
public final class ThreadLeakHook {
    /** Binary name of the copy defined into java.lang; the inlined calls name this class. */
    public static final String RUNTIME_NAME = "java.lang.ThreadLeakHook";

    /** Receives every started thread; set once by the agent, null until then. */
    public static volatile Consumer<Thread> onStart;

    private ThreadLeakHook() {}

    /** Called on normal return from Thread.start(), Thread.start(ThreadContainer) and VirtualThread.start(ThreadContainer). */
    public static void started(Thread thread) {
        Consumer<Thread> sink = onStart;
        if (sink != null) {
            try {
                sink.accept(thread);
            } catch (Throwable ignored) {
                // never let the agent break Thread.start
            }
        }
    }
}
