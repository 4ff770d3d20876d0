package dev.threadleak.agent.registry;

import java.util.List;
import java.util.function.Predicate;

/**
 * Picks the frame to blame in a creation stack: the first frame in an application package named by the
 * {@code app} option; else the first frame of the application's own code ({@link OwnCode}: classes from a
 * class-path directory or from the main class's jar), outside the JDK and the thread-making libraries; else
 * the first frame outside the JDK and those libraries.
 */
public final class Blame {
    /**
     * Code that starts threads on someone else's behalf, by package prefix: never the frame to blame. A
     * library is listed whole (its threads are made deep inside it, from packages that change between versions).
     */
    static final List<String> NOT_TO_BLAME = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", // the JDK (17 to 25): Thread, executors, Timer, HttpClient, its thread factories
            "kotlin.concurrent.", "kotlinx.coroutines.", // Kotlin's thread helpers and coroutines
            "scala.concurrent.", "akka.", "org.apache.pekko.", // Scala futures, Akka, Pekko
            "com.google.common.", // Guava (MoreExecutors, ThreadFactoryBuilder, ...)
            "org.apache.commons.lang3.concurrent.", // Commons Lang (BasicThreadFactory)
            "io.netty.", // Netty
            "io.grpc.", // gRPC Java
            "okhttp3.", "okio.", // OkHttp
            "org.apache.hc.", // Apache HttpClient 5 and HttpCore 5
            "org.apache.http.", // Apache HttpClient 4
            "org.eclipse.jetty.", // Jetty (server and client)
            "org.apache.tomcat.", "org.apache.catalina.", "org.apache.coyote.", // Tomcat
            "io.undertow.", "org.xnio.", // Undertow
            "io.vertx.", // Vert.x
            "org.springframework.", // Spring
            "reactor.", // Project Reactor (reactor-core, reactor-netty)
            "io.reactivex.", "rx.", // RxJava 2 and 3, RxJava 1
            "com.github.benmanes.caffeine.", // Caffeine
            "org.quartz.", // Quartz
            "com.zaxxer.hikari.", // HikariCP
            "org.h2."); // H2 database

    private final List<String> appPackages;
    /** Null until first needed: a blame is first judged on the agent's thread, and premain need not load OwnCode. */
    private volatile Predicate<String> ownCode;

    /** @param appPackages package names (no trailing dot), e.g. {@code com.acme}; may be empty */
    public Blame(List<String> appPackages) {
        this(appPackages, null);
    }

    /**
     * Blame for stacks another JVM recorded (a jstack dump, a JFR recording): which classes were that JVM's own code cannot be
     * told from here, so the first frame outside the JDK and the thread-making libraries is blamed (or an {@code app} package's).
     */
    public static Blame ofAnotherJvm(List<String> appPackages) {
        return new Blame(appPackages, className -> false);
    }

    /** @param ownCode tells the application's own classes by name (see {@link OwnCode}) */
    Blame(List<String> appPackages, Predicate<String> ownCode) {
        List<String> prefixes = new java.util.ArrayList<>();
        for (String p : appPackages) prefixes.add(p + "."); // premain: no lambdas, see ARCHITECTURE.md
        this.appPackages = List.copyOf(prefixes);
        this.ownCode = ownCode;
    }

    /**
     * Index of the frame to blame, or -1 when there is none: every frame is JDK or library code, or the JDK
     * started the thread for itself while serving the caller (a virtual-thread carrier or the unblocker
     * thread, a thread started by a JDK class initializer). Those are not the caller's threads to leak.
     */
    public int index(List<StackTraceElement> stack) {
        List<String> classNames = new java.util.ArrayList<>(stack.size());
        for (StackTraceElement e : stack) classNames.add(e.getClassName());
        int outside = firstOutside(classNames);
        for (int i = 0; i < (outside < 0 ? stack.size() : outside); i++) {
            if (startedForTheJdk(stack.get(i))) return -1;
        }
        return applicationFrame(classNames);
    }

    /**
     * Index of the first application frame of a stack, by the blame rules (an {@code app} package first, else
     * the application's own code, else the first frame outside the JDK and thread-making libraries), or -1:
     * the blame frame of a creation stack, where a waiting thread is stuck in a current stack.
     */
    public int applicationFrame(List<String> classNames) {
        int outside = -1, own = -1;
        for (int i = 0; i < classNames.size(); i++) {
            String cls = classNames.get(i);
            if (startsWithAny(cls, appPackages)) return i;
            if (startsWithAny(cls, NOT_TO_BLAME)) continue;
            if (outside < 0) outside = i;
            if (own < 0 && ownCode().test(cls)) {
                own = i;
                if (appPackages.isEmpty()) break; // nothing later can win
            }
        }
        return own >= 0 ? own : outside;
    }

    /**
     * The frame that names a stack read from another JVM (a jstack dump, a heap dump): its first application frame; for a
     * stack of JDK and library code only (an idle pool worker, an event loop), the thread's entry, the outermost frame past
     * {@code Thread.run}, as Go names a goroutine by its function; -1 for an empty stack.
     */
    public int namingFrame(List<String> classNames) {
        int app = applicationFrame(classNames);
        if (app >= 0) return app;
        for (int i = classNames.size() - 1; i >= 0; i--) {
            String cls = classNames.get(i);
            if (!cls.equals("java.lang.Thread") && !cls.equals("java.lang.VirtualThread") && !cls.startsWith("jdk.internal.vm.")) return i;
        }
        return -1;
    }

    /** This JVM's {@link OwnCode}, made on first use (two threads may both make one: they are alike). */
    private Predicate<String> ownCode() {
        Predicate<String> own = ownCode;
        if (own == null) ownCode = own = OwnCode.ofThisJvm();
        return own;
    }

    /**
     * The JDK's or a listed library's class: code that runs on behalf of many places (a pool's worker, an event
     * loop, a timer), so its class never stands for one line of the application.
     */
    static boolean threadMaker(String className) {
        return startsWithAny(className, NOT_TO_BLAME);
    }

    private static int firstOutside(List<String> classNames) {
        for (int i = 0; i < classNames.size(); i++) {
            if (!startsWithAny(classNames.get(i), NOT_TO_BLAME)) return i;
        }
        return -1;
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
