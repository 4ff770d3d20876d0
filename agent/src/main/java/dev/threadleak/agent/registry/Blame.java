package dev.threadleak.agent.registry;

import java.util.List;

/**
 * Picks the frame to blame in a creation stack: the first frame in an application package named by the
 * {@code app} option, else the first frame outside the JDK and outside well-known thread-making libraries.
 */
public final class Blame {
    /** Code that starts threads on someone else's behalf: never the frame to blame. */
    static final List<String> NOT_TO_BLAME = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "dev.threadleak.agent.",
            "kotlin.concurrent.", "kotlinx.coroutines.", "scala.concurrent.", "akka.dispatch.",
            "com.google.common.util.concurrent.", "org.apache.commons.lang3.concurrent.",
            "io.netty.util.concurrent.", "io.netty.util.internal.ThreadExecutorMap",
            "org.springframework.scheduling.", "org.springframework.core.task.",
            "reactor.core.scheduler.", "io.reactivex.rxjava3.internal.schedulers.",
            "org.eclipse.jetty.util.thread.", "org.apache.tomcat.util.threads.",
            "okhttp3.internal.concurrent.", "com.zaxxer.hikari.util.");

    private final List<String> appPackages;

    /** @param appPackages package names (no trailing dot), e.g. {@code com.acme}; may be empty */
    public Blame(List<String> appPackages) {
        this.appPackages = appPackages.stream().map(p -> p + ".").toList();
    }

    public int index(List<StackTraceElement> stack) {
        for (int i = 0; i < stack.size(); i++) {
            if (startsWithAny(stack.get(i).getClassName(), appPackages)) return i;
        }
        for (int i = 0; i < stack.size(); i++) {
            if (!startsWithAny(stack.get(i).getClassName(), NOT_TO_BLAME)) return i;
        }
        return -1;
    }

    private static boolean startsWithAny(String className, List<String> prefixes) {
        for (String p : prefixes) {
            if (className.startsWith(p)) return true;
        }
        return false;
    }
}
