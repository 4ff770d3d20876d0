package dev.threadleak.agent.registry;

import java.util.List;

/**
 * Picks the frame to blame in a creation stack: the first frame in an application package named by the
 * {@code app} option, else the first frame outside the JDK and outside well-known thread-making libraries.
 */
public final class Blame {
    /** Code that starts threads on someone else's behalf: never the frame to blame. */
    static final List<String> NOT_TO_BLAME = List.of(
            // the JDK (17 to 25): Thread, executors, Timer, HttpClient, the JDK's own thread factories
            "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "kotlin.concurrent.",                       // Kotlin stdlib: thread { } (kotlin.concurrent.ThreadsKt, 1.x)
            "kotlinx.coroutines.",                      // kotlinx-coroutines 1.x: CoroutineScheduler workers, newSingleThreadContext
            "scala.concurrent.",                        // Scala 2.12/2.13: ExecutionContext.global (impl.ExecutionContextImpl)
            "akka.dispatch.",                           // Akka 2.6: MonitorableThreadFactory of its dispatchers
            "com.google.common.util.concurrent.",       // Guava 33: ThreadFactoryBuilder, MoreExecutors
            "org.apache.commons.lang3.concurrent.",     // commons-lang3 3.x: BasicThreadFactory
            "io.netty.util.concurrent.",                // Netty 4.1: DefaultThreadFactory, SingleThreadEventExecutor
            "io.netty.util.internal.ThreadExecutorMap", // Netty 4.1: ThreadExecutorMap.apply wraps every event-loop start
            "org.springframework.scheduling.",          // Spring Framework 6: ThreadPoolTaskExecutor, ThreadPoolTaskScheduler
            "org.springframework.core.task.",           // Spring Framework 6: SimpleAsyncTaskExecutor
            "reactor.core.scheduler.",                  // Reactor Core 3.x: Schedulers, ReactorThreadFactory
            "io.reactivex.rxjava3.internal.schedulers.", // RxJava 3: RxThreadFactory
            "org.eclipse.jetty.util.thread.",           // Jetty 9 to 12: QueuedThreadPool
            "org.apache.tomcat.util.threads.",          // Tomcat 9/10: TaskThreadFactory
            "okhttp3.internal.concurrent.",             // OkHttp 4: TaskRunner
            "com.zaxxer.hikari.util.");                 // HikariCP 5: UtilityElf.DefaultThreadFactory

    private final List<String> appPackages;

    /** @param appPackages package names (no trailing dot), e.g. {@code com.acme}; may be empty */
    public Blame(List<String> appPackages) {
        List<String> prefixes = new java.util.ArrayList<>();
        for (String p : appPackages) prefixes.add(p + "."); // a loop, not a stream: this runs in premain
        this.appPackages = List.copyOf(prefixes);
    }

    /**
     * Index of the frame to blame, or -1 when there is none: every frame is JDK or library code, or the JDK
     * started the thread for itself while serving the caller (a virtual-thread carrier or the unblocker
     * thread, a thread started by a JDK class initializer). Those are not the caller's threads to leak.
     */
    public int index(List<StackTraceElement> stack) {
        int outside = -1, app = -1;
        for (int i = 0; i < stack.size() && app < 0; i++) {
            String cls = stack.get(i).getClassName();
            if (outside < 0 && !startsWithAny(cls, NOT_TO_BLAME)) outside = i;
            if (startsWithAny(cls, appPackages)) app = i;
        }
        for (int i = 0; i < (outside < 0 ? stack.size() : outside); i++) {
            if (startedForTheJdk(stack.get(i))) return -1;
        }
        return app >= 0 ? app : outside;
    }

    /**
     * Index of the first application frame of a current stack, by the same rules as the blame frame (an
     * {@code app} package first, else the first frame outside the JDK and thread-making libraries), or -1:
     * where a waiting thread is stuck.
     */
    public int applicationFrame(List<String> classNames) {
        int outside = -1;
        for (int i = 0; i < classNames.size(); i++) {
            String cls = classNames.get(i);
            if (startsWithAny(cls, appPackages)) return i;
            if (outside < 0 && !startsWithAny(cls, NOT_TO_BLAME)) outside = i;
        }
        return outside;
    }

    private static boolean startedForTheJdk(StackTraceElement e) {
        return e.getClassName().equals("java.lang.VirtualThread") || e.getMethodName().equals("<clinit>");
    }

    private static boolean startsWithAny(String className, List<String> prefixes) {
        for (String p : prefixes) {
            if (className.startsWith(p)) return true;
        }
        return false;
    }
}
