package dev.threadleak.junit;

import dev.threadleak.names.SharedNames;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/** Turns a live thread (and the agent's facts about it, if any) into a {@link LeakedThread}. */
final class Describe {
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

    private Describe() {}

    static LeakedThread thread(Thread t, Map<String, Object> facts) {
        List<StackTraceElement> stack = List.of(t.getStackTrace());
        Thread.State state = t.getState();
        List<StackTraceElement> creation = creationStack(facts);
        Object starterName = facts.get(SharedNames.FACT_STARTER_NAME);
        String starter = starterName == null ? null : "\"" + starterName + "\" #" + facts.get(SharedNames.FACT_STARTER_TID);
        Boolean shutdown = (Boolean) facts.get(SharedNames.FACT_EXECUTOR_SHUTDOWN);
        return new LeakedThread(t, t.getName(), t.getId(), isVirtual(t), t.isDaemon(), state.name(), waitReason(t, state, stack),
                stack, blamed(creation, facts.get(SharedNames.FACT_BLAME)), creation, starter, null, (String) facts.get(SharedNames.FACT_EXECUTOR),
                blamed(stackOf(facts.get(SharedNames.FACT_EXECUTOR_STACK)), facts.get(SharedNames.FACT_EXECUTOR_BLAME)), shutdown);
    }

    /** Thread.isVirtual() exists from JDK 21 only; the class tells on every JDK. */
    static boolean isVirtual(Thread t) {
        return t.getClass().getName().equals("java.lang.VirtualThread");
    }

    static boolean isJdk(String className) {
        return Ignores.startsWithAny(className, JDK_PACKAGES);
    }

    static List<StackTraceElement> creationStack(Map<String, Object> facts) {
        return stackOf(facts.get(SharedNames.FACT_CREATION_STACK));
    }

    @SuppressWarnings("unchecked")
    private static List<StackTraceElement> stackOf(Object stack) {
        return stack == null ? List.of() : (List<StackTraceElement>) stack;
    }

    /** The agent's blame frame, or else the first frame outside the JDK; null for an empty stack. */
    private static String blamed(List<StackTraceElement> stack, Object blame) {
        int i = blame instanceof Integer b && b >= 0 && b < stack.size() ? b : firstApplicationFrame(stack);
        return i < 0 ? null : frame(stack.get(i));
    }

    /** Index of the first frame outside the JDK, or -1. */
    static int firstApplicationFrame(List<StackTraceElement> stack) {
        for (int i = 0; i < stack.size(); i++) {
            if (!isJdk(stack.get(i).getClassName())) return i;
        }
        return -1;
    }

    /** {@code Class.method(File.java:LINE)}, as stack traces print a frame (without the module). */
    static String frame(StackTraceElement e) {
        String where = e.isNativeMethod() ? "Native Method"
                : e.getFileName() == null ? "Unknown Source"
                : e.getLineNumber() >= 0 ? e.getFileName() + ":" + e.getLineNumber() : e.getFileName();
        return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
    }

    /**
     * What a waiting thread waits for, read from its state and the top of its stack, in the agent's words; null
     * while it runs.
     */
    static String waitReason(Thread t, Thread.State state, List<StackTraceElement> stack) {
        if (state == Thread.State.RUNNABLE || state == Thread.State.NEW || state == Thread.State.TERMINATED) return null;
        if (state == Thread.State.BLOCKED) return SharedNames.WAIT_MONITOR_ENTER_ON + lockOf(t, "a monitor");
        for (StackTraceElement e : stack) {
            String at = e.getClassName() + "." + e.getMethodName();
            if (at.equals("java.lang.Thread.sleep") || at.equals("java.lang.Thread.sleepNanos")) return SharedNames.WAIT_SLEEPING;
            if (at.startsWith("java.lang.Object.wait")) {
                boolean join = stack.stream().anyMatch(f -> f.getClassName().equals("java.lang.Thread") && f.getMethodName().equals("join"));
                return join ? SharedNames.WAIT_THREAD_JOIN : SharedNames.WAIT_OBJECT_WAIT_ON + lockOf(t, "a monitor");
            }
            if (at.startsWith("java.util.concurrent.locks.LockSupport.park")) {
                Object blocker = LockSupport.getBlocker(t);
                return blocker == null ? "parked" : SharedNames.WAIT_PARKED_ON + blocker.getClass().getName();
            }
            if (!isJdk(e.getClassName())) break;
        }
        return state == Thread.State.TIMED_WAITING ? SharedNames.WAIT_TIMED_WAITING : SharedNames.WAIT_WAITING;
    }

    private static String lockOf(Thread t, String unknown) {
        if (isVirtual(t)) return unknown;
        try {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(t.getId());
            if (info == null || info.getLockName() == null) return unknown;
            return info.getLockName() + (info.getLockOwnerName() == null ? "" : SharedNames.WAIT_OWNED_BY + "\"" + info.getLockOwnerName() + "\"");
        } catch (NoClassDefFoundError noJavaManagement) {
            // a runtime jlinked without java.management: the leak is still reported, its lock unnamed
            return unknown;
        }
    }
}
