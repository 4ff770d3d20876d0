package dev.threadleak.agent.registry;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads what the hook swallowed: how many Throwables its sinks threw inside Thread.start or an executor
 * method, and the first one. The hook runs as a copy defined into java.lang, so its fields are found by
 * reflection, once; reading the count afterwards is one volatile read.
 */
public final class HookFailures {
    /** For a JVM the hook could not be installed into: nothing can fail in it. */
    public static final HookFailures NONE = new HookFailures(new AtomicLong(), null);

    private final AtomicLong count;
    private final Field first;

    private HookFailures(AtomicLong count, Field first) {
        this.count = count;
        this.first = first;
    }

    /** The counters of the hook class defined at run time ({@code java.lang.ThreadLeakHook}). */
    public static HookFailures of(Class<?> hook) throws ReflectiveOperationException {
        AtomicLong count = (AtomicLong) MethodHandles.lookup().findStaticVarHandle(hook, "FAILURES", AtomicLong.class).get();
        return new HookFailures(count, hook.getField("firstFailure"));
    }

    public long count() {
        return count.get();
    }

    /** The first failure as {@code Throwable.toString()}, or null when there was none. */
    public String first() {
        if (first == null || count.get() == 0) return null;
        try {
            return (String) first.get(null);
        } catch (IllegalAccessException cannot) {
            return null; // a public static field: does not happen
        }
    }
}
