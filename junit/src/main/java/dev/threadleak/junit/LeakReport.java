package dev.threadleak.junit;

import java.time.Duration;
import java.util.List;

/** The text of a leak failure: one block per thread, read like jstack. */
final class LeakReport {
    /** Frames of a current stack shown past the first application frame when there is none. */
    private static final int MAX_FRAMES = 12;
    static final String NO_AGENT = "(without the threadleak agent: creation sites, the tests that started the threads and virtual"
            + " threads are not known; add -javaagent:path/to/threadleak-agent.jar to the test JVM, e.g. Surefire's argLine)";

    private LeakReport() {}

    static String message(String scope, List<LeakedThread> leaks, Duration settle) {
        StringBuilder out = new StringBuilder();
        out.append(leaks.size()).append(leaks.size() == 1 ? " thread" : " threads").append(" leaked by ").append(scope)
                .append(" (alive after it, not before it; still running after ").append(settle.toMillis()).append(" ms)");
        boolean agent = ThreadLeaks.agentPresent();
        for (LeakedThread t : leaks) thread(out.append("\n\n"), t, agent);
        if (!agent) out.append("\n\n").append(NO_AGENT);
        return out.toString();
    }

    private static void thread(StringBuilder out, LeakedThread t, boolean agent) {
        out.append('"').append(t.name()).append("\" #").append(t.tid()).append(t.virtual() ? " virtual" : " platform")
                .append(t.daemon() ? " daemon " : " ").append(t.state());
        if (t.waitReason() != null) out.append(" (").append(t.waitReason()).append(')');
        if (agent) out.append("\n    created at: ").append(t.creationSite() != null ? t.creationSite()
                // the agent saw it start (it knows the starter) but sampled its stack out: no line rather than a borrowed one
                : t.starter() != null ? "not captured (the agent samples creation stacks: its starts option)" : "unknown (started before the agent)");
        if (t.startedByTest() != null || t.starter() != null) {
            out.append("\n    started by: ");
            if (t.startedByTest() != null) out.append(t.startedByTest());
            if (t.starter() != null) out.append(t.startedByTest() != null ? " (thread " : "thread ").append(t.starter())
                    .append(t.startedByTest() != null ? ")" : "");
        }
        if (t.executor() != null) {
            out.append("\n    pool of:    ").append(t.executor().substring(t.executor().lastIndexOf('.') + 1));
            if (t.executorSite() != null) out.append(" built at ").append(t.executorSite());
            if (t.executorShutdown() != null) out.append(t.executorShutdown() ? ", shut down" : ", never shut down");
        }
        out.append("\n    stack:");
        int first = Describe.firstApplicationFrame(t.stack());
        int shown = first >= 0 ? first + 1 : Math.min(MAX_FRAMES, t.stack().size());
        frames(out, t.stack(), shown);
        if (!t.creationStack().isEmpty()) {
            out.append("\n    creation stack:");
            frames(out, t.creationStack(), untilTestFramework(t.creationStack()));
        }
    }

    /** The creation stack down to the test framework's frames (reflection or JUnit below the application's first frame). */
    private static int untilTestFramework(List<StackTraceElement> stack) {
        for (int i = Math.max(0, Describe.firstApplicationFrame(stack)); i < stack.size(); i++) {
            String cls = stack.get(i).getClassName();
            if (cls.startsWith("org.junit.") || cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")) {
                return Math.max(i, 1);
            }
        }
        return Math.min(MAX_FRAMES, stack.size());
    }

    private static void frames(StringBuilder out, List<StackTraceElement> stack, int shown) {
        for (int i = 0; i < shown; i++) out.append("\n        at ").append(Describe.frame(stack.get(i)));
        if (stack.size() > shown) out.append("\n        ... ").append(stack.size() - shown).append(" more");
    }
}
