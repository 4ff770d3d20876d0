package dev.threadleak.agent.registry;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A creation Throwable's raw HotSpot backtrace as a map key, compared by content WITHOUT decoding it into
 * StackTraceElements: equal backtraces (same class, method, method version and bci in every frame) decode to
 * equal stacks, so the drain calls getStackTrace() only for a backtrace it has not seen. HotSpot keeps the
 * backtrace in chunks, Object[] of a fixed small length: method ids (short[]), bci + version (int[]), class
 * mirrors (Object[]), name symbols (long[]), the next chunk (an Object[] of the chunk's own length), nulls.
 * Read generically; any other layout makes {@link #of} return null and the caller decodes the stack.
 * Needs java.lang opened to the agent, which HookInstaller does (redefineModule) before any hook can run.
 */
final class Backtrace {
    private static final VarHandle BACKTRACE = backtraceField();

    /** Per slot: short[]/int[]/long[] (the backtrace's own arrays, never written after capture) or mirrors. */
    private final Object[] parts;
    private final int hash;

    private Backtrace(Object[] parts, int hash) {
        this.parts = parts;
        this.hash = hash;
    }

    /** The key of {@code t}'s backtrace, or null when it cannot be read. Holds the live arrays: lookups only. */
    static Backtrace of(Throwable t) {
        if (BACKTRACE == null || !(BACKTRACE.get(t) instanceof Object[] chunk)) return null;
        List<Object> parts = new ArrayList<>(8);
        int h = 1;
        for (Object[] c = chunk, next; c != null; c = next) {
            next = null;
            for (Object e : c) {
                if (e == null) continue;
                if (e instanceof Object[] a && a.length == c.length) next = a;
                else if (e instanceof short[] a) h = 31 * h + Arrays.hashCode(a);
                else if (e instanceof int[] a) h = 31 * h + Arrays.hashCode(a);
                else if (e instanceof long[] a) h = 31 * h + Arrays.hashCode(a);
                else if (e instanceof Object[] a) {
                    for (Object o : a) h = 31 * h + System.identityHashCode(o);
                } else return null; // unknown layout
                if (next != e) parts.add(e);
            }
        }
        return new Backtrace(parts.toArray(), h);
    }

    /** A copy to keep in a map: mirrors held weakly, so a known backtrace never keeps a class loader alive. */
    Backtrace retained() {
        Object[] kept = parts.clone();
        for (int i = 0; i < kept.length; i++) {
            if (kept[i] instanceof Object[] mirrors) {
                Object[] weak = new Object[mirrors.length];
                for (int j = 0; j < mirrors.length; j++) weak[j] = mirrors[j] == null ? null : new WeakReference<>(mirrors[j]);
                kept[i] = new Weak(weak);
            }
        }
        return new Backtrace(kept, hash);
    }

    /** Weakly held mirrors of a retained key. */
    @SuppressWarnings("ArrayRecordComponent") // compared by sameAs only (weakly, element by element), never by equals
    private record Weak(Object[] refs) {
        boolean sameAs(Object[] mirrors) {
            if (mirrors.length != refs.length) return false;
            for (int j = 0; j < refs.length; j++) {
                Object m = refs[j] == null ? null : ((WeakReference<?>) refs[j]).get();
                if (m != mirrors[j] || (m == null && refs[j] != null)) return false; // a cleared ref matches nothing
            }
            return true;
        }
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** A live key (from {@link #of}) against a retained or live one; HashMap.get calls it on the live key. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Backtrace k) || k.hash != hash || k.parts.length != parts.length) return false;
        for (int i = 0; i < parts.length; i++) {
            Object a = parts[i], b = k.parts[i];
            boolean same;
            if (a instanceof short[] x) same = b instanceof short[] y && Arrays.equals(x, y);
            else if (a instanceof int[] x) same = b instanceof int[] y && Arrays.equals(x, y);
            else if (a instanceof long[] x) same = b instanceof long[] y && Arrays.equals(x, y);
            else if (a instanceof Object[] x) same = b instanceof Weak w ? w.sameAs(x) : b instanceof Object[] y && Arrays.equals(x, y);
            else same = a instanceof Weak w && b instanceof Object[] y && w.sameAs(y);
            if (!same) return false;
        }
        return true;
    }

    /**
     * Why this JVM's creation stacks cannot be matched by their backtrace, as a line to say under {@code log=debug}; null
     * when they can.
     */
    static String fallback() {
        String instead = ": every creation stack is decoded, none matched to one decoded before";
        if (BACKTRACE == null) {
            try {
                lookUpBacktrace();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return "cannot read Throwable.backtrace (" + e + ")" + instead;
            }
        }
        return of(new Throwable()) == null ? "Throwable.backtrace is of a layout the agent does not read" + instead : null;
    }

    private static VarHandle backtraceField() {
        try {
            return lookUpBacktrace();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // java.lang not opened to the agent (e.g. unit tests): every stack is decoded
        }
    }

    private static VarHandle lookUpBacktrace() throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(Throwable.class, MethodHandles.lookup()).findVarHandle(Throwable.class, "backtrace", Object.class);
    }
}
