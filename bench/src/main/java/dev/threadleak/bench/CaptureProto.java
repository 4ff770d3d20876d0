package dev.threadleak.bench;

import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Prototypes of the hot path's stack capture for {@link HookBench}: the agent's SiteTable/Blame logic
 * copied (same interned stacks, same blame), with the capture done five ways:
 * <ul>
 *   <li>{@link #THROWABLE}: today — {@code new Throwable()} on the starting thread; getStackTrace(), cut,
 *       copy and intern on the drain.</li>
 *   <li>{@link #WALK_ELEMENTS}: StackWalker on the starting thread, walking only as far as the site needs
 *       (past the start frames, {@code depth} frames, and the blamed frame), converting to
 *       StackTraceElement there; the drain only interns.</li>
 *   <li>{@link #WALK_FRAMES}: the same walk keeping StackFrame objects; toStackTraceElement on the drain.</li>
 *   <li>{@link #THROWABLE_DEDUP}: today's {@code new Throwable()} on the starting thread; the drain first looks
 *       the Throwable's raw HotSpot backtrace up by content (method ids, bcis, class mirrors: no decoding) and
 *       calls getStackTrace() only for a backtrace not seen before.</li>
 *   <li>{@link #WALK_FRAMES_DEDUP}: WALK_FRAMES, and the drain first looks the frames up by identity
 *       (declaring class, method name, descriptor, bci): StackTraceElements only for a new key.</li>
 * </ul>
 * "Start frames" are recognised by class + method name: {@code java.lang.Thread/VirtualThread.start}, and for
 * the benchmark {@link HookBench.FakeThread#start}, which stands in for the hooked Thread.start.
 */
final class CaptureProto {
    static final int THROWABLE = 0, WALK_ELEMENTS = 1, WALK_FRAMES = 2, WALK_FRAMES_DEDUP = 3, THROWABLE_DEDUP = 4;
    static final int MODES = 5;
    /** Throwable.backtrace: HotSpot's raw frames (needs java.lang opened: --add-opens, or the agent's redefineModule). */
    private static final java.lang.invoke.VarHandle BACKTRACE = backtrace();
    private static final String FAKE_THREAD = HookBench.FakeThread.class.getName();

    /** Throwable stack traces show reflection frames and hide hidden ones: the same as this option set. */
    private final StackWalker walker;
    private final int mode;
    private final int depth;
    private final List<String> appPrefixes;
    private final Function<Stream<StackFrame>, Captured> walk = this::walk;

    // the "site table"
    private final Map<List<StackTraceElement>, Integer> byStack = new HashMap<>();
    private final Map<FrameKey, Integer> byFrames = new HashMap<>();
    private final Map<BacktraceKey, Integer> byBacktrace = new HashMap<>();
    final List<List<StackTraceElement>> sites = new ArrayList<>();
    final List<Integer> blames = new ArrayList<>();
    final List<Boolean> truncated = new ArrayList<>();
    /** getStackTrace() calls (THROWABLE, THROWABLE_DEDUP). */
    int decoded;

    static boolean backtraceReadable() {
        return BACKTRACE != null;
    }

    CaptureProto(int mode, int depth, List<String> appPackages) {
        this.mode = mode;
        this.depth = depth;
        List<String> p = new ArrayList<>();
        for (String s : appPackages) p.add(s + ".");
        this.appPrefixes = p;
        this.walker = StackWalker.getInstance(mode == WALK_FRAMES_DEDUP
                ? Set.of(StackWalker.Option.SHOW_REFLECT_FRAMES, StackWalker.Option.RETAIN_CLASS_REFERENCE)
                : Set.of(StackWalker.Option.SHOW_REFLECT_FRAMES), depth + 8);
    }

    /** What a record carries from the starting thread to the drain. */
    static final class Captured {
        Object stack; // Throwable, StackTraceElement[] or StackFrame[]
        int blame;
        boolean truncated;
    }

    // ---- the starting thread ----

    /** The hot-path capture (what Registry.accept would store in the record). */
    Object capture() {
        if (mode == THROWABLE || mode == THROWABLE_DEDUP) return new Throwable();
        Captured c = walker.walk(walk);
        if (mode == WALK_ELEMENTS) {
            StackFrame[] f = (StackFrame[]) c.stack;
            StackTraceElement[] e = new StackTraceElement[f.length];
            for (int i = 0; i < f.length; i++) e[i] = f[i].toStackTraceElement();
            c.stack = e;
        }
        return c;
    }

    /**
     * Frames from the caller of the innermost run of start frames outwards (everything when there is no start
     * frame, as SiteTable.callerOfStart), as many as SiteTable.intern would keep: max(depth, blame + 1), walking
     * on only while the blame is undecided (Blame.index reads the whole stack then, e.g. when no frame is in an
     * app package); the blame index and the truncated flag computed on the way.
     */
    private Captured walk(Stream<StackFrame> s) {
        Iterator<StackFrame> it = s.iterator();
        ArrayList<StackFrame> before = new ArrayList<>(4); // frames above the start run, kept in case there is none
        StackFrame first = null;
        boolean inStart = false;
        while (it.hasNext()) {
            StackFrame f = it.next();
            if (isStart(f)) {
                inStart = true;
            } else if (inStart) {
                first = f;
                break;
            } else {
                before.add(f);
            }
        }
        ArrayList<StackFrame> out = new ArrayList<>(depth + 1);
        Iterator<StackFrame> rest;
        if (first != null) {
            out.add(first);
            rest = it;
        } else if (!inStart) {
            rest = before.iterator(); // no start frame: from 0, like callerOfStart
        } else {
            rest = it; // the stack ends in start frames
        }
        // Blame.index, incrementally
        int outside = -1, app = -1, i = 0;
        Captured c = new Captured();
        while (true) {
            for (; i < out.size(); i++) {
                if (app >= 0) break;
                String cls = out.get(i).getClassName();
                if (outside < 0 && !startsWithAny(cls, NOT_TO_BLAME)) outside = i;
                if (startsWithAny(cls, appPrefixes)) app = i;
            }
            boolean decided = app >= 0 || (appPrefixes.isEmpty() && outside >= 0);
            int blamed = app >= 0 ? app : outside;
            if (decided && out.size() >= Math.max(depth, blamed + 1)) {
                c.truncated = rest.hasNext();
                break;
            }
            if (!rest.hasNext()) {
                c.truncated = false;
                break;
            }
            out.add(rest.next());
        }
        int blamed = app >= 0 ? app : outside;
        for (int j = 0; j < (outside < 0 ? out.size() : outside); j++) {
            StackFrame f = out.get(j);
            if (f.getClassName().equals("java.lang.VirtualThread") || f.getMethodName().equals("<clinit>")) {
                blamed = -1;
                break;
            }
        }
        int to = Math.min(out.size(), Math.max(depth, blamed + 1));
        if (to < out.size()) c.truncated = true;
        c.blame = blamed;
        c.stack = out.subList(0, to).toArray(new StackFrame[0]);
        return c;
    }

    private static boolean isStart(StackFrame f) {
        if (!f.getMethodName().equals("start")) return false;
        String cls = f.getClassName();
        return cls.equals("java.lang.Thread") || cls.equals("java.lang.VirtualThread") || cls.equals(FAKE_THREAD);
    }

    // ---- the drain ----

    /** Interns one captured stack; returns the site id. */
    int intern(Object captured) {
        if (mode == THROWABLE) return internThrowable((Throwable) captured);
        if (mode == THROWABLE_DEDUP) {
            Object bt = BACKTRACE == null ? null : BACKTRACE.get((Throwable) captured);
            if (!(bt instanceof Object[] chunk)) return internThrowable((Throwable) captured);
            BacktraceKey key = new BacktraceKey(chunk);
            Integer id = byBacktrace.get(key);
            if (id == null) {
                id = internThrowable((Throwable) captured);
                byBacktrace.put(key, id);
            }
            return id;
        }
        Captured c = (Captured) captured;
        if (mode == WALK_ELEMENTS) return internElements((StackTraceElement[]) c.stack, c.blame, c.truncated);
        StackFrame[] f = (StackFrame[]) c.stack;
        FrameKey key = null;
        if (mode == WALK_FRAMES_DEDUP) {
            key = new FrameKey(f);
            Integer id = byFrames.get(key);
            if (id != null) return id;
        }
        StackTraceElement[] e = new StackTraceElement[f.length];
        for (int i = 0; i < f.length; i++) e[i] = f[i].toStackTraceElement();
        int id = internElements(e, c.blame, c.truncated);
        if (key != null) byFrames.put(key, id);
        return id;
    }

    private int internElements(StackTraceElement[] e, int blame, boolean trunc) {
        List<StackTraceElement> stack = List.of(e);
        Integer id = byStack.get(stack);
        if (id == null) {
            id = sites.size();
            byStack.put(stack, id);
            sites.add(stack);
            blames.add(blame);
            truncated.add(trunc);
        }
        return id;
    }

    /** SiteTable.intern as in the agent. */
    private int internThrowable(Throwable creation) {
        decoded++;
        StackTraceElement[] raw = creation.getStackTrace();
        int from = callerOfStart(raw);
        int blamed = blameIndex(Arrays.asList(raw).subList(from, raw.length));
        int to = Math.min(raw.length, from + Math.max(depth, blamed + 1));
        return internElements(Arrays.copyOfRange(raw, from, to), blamed, to < raw.length);
    }

    private static int callerOfStart(StackTraceElement[] raw) {
        int i = 0;
        while (i < raw.length && !isStart(raw[i])) i++;
        if (i == raw.length) return 0;
        while (i < raw.length && isStart(raw[i])) i++;
        return i;
    }

    private static boolean isStart(StackTraceElement e) {
        String cls = e.getClassName();
        return e.getMethodName().equals("start")
                && (cls.equals("java.lang.Thread") || cls.equals("java.lang.VirtualThread") || cls.equals(FAKE_THREAD));
    }

    /** Blame.index as in the agent. */
    private int blameIndex(List<StackTraceElement> stack) {
        int outside = -1, app = -1;
        for (int i = 0; i < stack.size() && app < 0; i++) {
            String cls = stack.get(i).getClassName();
            if (outside < 0 && !startsWithAny(cls, NOT_TO_BLAME)) outside = i;
            if (startsWithAny(cls, appPrefixes)) app = i;
        }
        for (int i = 0; i < (outside < 0 ? stack.size() : outside); i++) {
            StackTraceElement e = stack.get(i);
            if (e.getClassName().equals("java.lang.VirtualThread") || e.getMethodName().equals("<clinit>")) return -1;
        }
        return app >= 0 ? app : outside;
    }

    static final List<String> NOT_TO_BLAME = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.",
            "kotlin.concurrent.", "kotlinx.coroutines.", "scala.concurrent.", "akka.dispatch.",
            "com.google.common.util.concurrent.", "org.apache.commons.lang3.concurrent.",
            "io.netty.util.concurrent.", "io.netty.util.internal.ThreadExecutorMap",
            "org.springframework.scheduling.", "org.springframework.core.task.",
            "reactor.core.scheduler.", "io.reactivex.rxjava3.internal.schedulers.",
            "org.eclipse.jetty.util.thread.", "org.apache.tomcat.util.threads.",
            "okhttp3.internal.concurrent.", "com.zaxxer.hikari.util.");

    private static boolean startsWithAny(String className, List<String> prefixes) {
        for (String p : prefixes) {
            if (className.startsWith(p)) return true;
        }
        return false;
    }

    /** Identity of a captured frame list without StackTraceElements: (class, name, descriptor, bci) per frame. */
    private static final class FrameKey {
        private final Object[] refs;
        private final int[] bcis;
        private final int hash;

        FrameKey(StackFrame[] frames) {
            refs = new Object[frames.length * 3];
            bcis = new int[frames.length];
            int h = 1;
            for (int i = 0; i < frames.length; i++) {
                StackFrame f = frames[i];
                Class<?> c = f.getDeclaringClass();
                String m = f.getMethodName();
                refs[3 * i] = c;
                refs[3 * i + 1] = m;
                refs[3 * i + 2] = f.getDescriptor();
                bcis[i] = f.getByteCodeIndex();
                h = 31 * (31 * h + System.identityHashCode(c)) + 31 * m.hashCode() + bcis[i];
            }
            hash = h;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FrameKey k && Arrays.equals(bcis, k.bcis) && Arrays.equals(refs, k.refs);
        }
    }

    private static java.lang.invoke.VarHandle backtrace() {
        try {
            return java.lang.invoke.MethodHandles.privateLookupIn(Throwable.class, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(Throwable.class, "backtrace", Object.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // java.lang not opened to us: THROWABLE_DEDUP falls back to decoding every stack
        }
    }

    /**
     * A Throwable's raw backtrace, compared by content without decoding it. HotSpot stores it as chunks
     * (Object[] of a fixed small length): parallel arrays of method ids (short[]), bci + method version (int[]),
     * class mirrors (Object[], compared by identity), method name symbols (long[]), and the next chunk (an
     * Object[] of the chunk's own length); remaining slots null on 17 and 25. Two equal backtraces decode to equal stacks (same class, method, bci per frame).
     * The layout is read generically, so a JDK that changes it only makes keys finer, never wrong... as long as
     * every slot is an array, a boxed value or the next chunk, which holds on 17 through 25.
     */
    private static final class BacktraceKey {
        private final Object[] head;
        private final int hash;

        BacktraceKey(Object[] head) {
            this.head = head;
            this.hash = hash(head);
        }

        private static int hash(Object[] chunk) {
            int h = 1;
            for (Object[] c = chunk; c != null; c = next(c)) {
                for (Object e : c) {
                    if (e instanceof short[] a) h = 31 * h + Arrays.hashCode(a);
                    else if (e instanceof int[] a) h = 31 * h + Arrays.hashCode(a);
                    else if (e instanceof long[] a) h = 31 * h + Arrays.hashCode(a);
                    else if (e instanceof Object[] a && a.length != c.length) {
                        for (Object o : a) h = 31 * h + System.identityHashCode(o);
                    }
                }
            }
            return h;
        }

        private static Object[] next(Object[] chunk) {
            for (Object e : chunk) {
                if (e instanceof Object[] a && a.length == chunk.length) return a;
            }
            return null;
        }

        private static boolean same(Object[] x, Object[] y) {
            while (x != null && y != null) {
                if (x.length != y.length) return false;
                for (int i = 0; i < x.length; i++) {
                    Object a = x[i], b = y[i];
                    if (a instanceof Object[] oa && oa.length == x.length) continue; // next chunk: compared in the loop
                    if (a instanceof short[] sa) { if (!(b instanceof short[] sb) || !Arrays.equals(sa, sb)) return false; }
                    else if (a instanceof int[] ia) { if (!(b instanceof int[] ib) || !Arrays.equals(ia, ib)) return false; }
                    else if (a instanceof long[] la) { if (!(b instanceof long[] lb) || !Arrays.equals(la, lb)) return false; }
                    else if (a instanceof Object[] oa) {
                        if (!(b instanceof Object[] ob) || oa.length != ob.length) return false;
                        for (int j = 0; j < oa.length; j++) if (oa[j] != ob[j]) return false;
                    } else if (!java.util.Objects.equals(a, b)) return false;
                }
                x = next(x);
                y = next(y);
            }
            return x == y;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BacktraceKey k && k.hash == hash && same(head, k.head);
        }
    }

    // ---- a Registry around the capture: the same record, CAS push and drain bookkeeping ----

    static final class Rec {
        final Thread thread;
        final long startedAtMs;
        final long starterTid;
        final String starterName;
        Object creation;
        int siteId = -1;
        Rec next;

        Rec(Thread thread, long startedAtMs, Thread starter, Object creation) {
            this.thread = thread;
            this.startedAtMs = startedAtMs;
            this.starterTid = starter.getId();
            this.starterName = starter.getName();
            this.creation = creation;
        }
    }

    final java.util.concurrent.atomic.AtomicReference<Rec> pending = new java.util.concurrent.atomic.AtomicReference<>();
    private final List<Rec> live = new ArrayList<>();

    /** Registry.accept with this capture. */
    void accept(Thread thread) {
        Rec record = new Rec(thread, System.currentTimeMillis(), Thread.currentThread(), capture());
        Rec head;
        do {
            head = pending.get();
            record.next = head;
        } while (!pending.compareAndSet(head, record));
    }

    /** Registry.drain with this capture (no own/not-seen-starting sets: both empty in the benchmark). */
    synchronized void drain() {
        Rec chain = pending.getAndSet(null);
        Rec ordered = null;
        while (chain != null) {
            Rec next = chain.next;
            chain.next = ordered;
            ordered = chain;
            chain = next;
        }
        for (Rec r = ordered; r != null; ) {
            Rec next = r.next;
            r.next = null;
            r.siteId = intern(r.creation);
            r.creation = null;
            live.add(r);
            r = next;
        }
        live.removeIf(r -> !r.thread.isAlive());
    }
}
