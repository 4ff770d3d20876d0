package dev.threadleak.agent.registry;

import dev.threadleak.agent.hook.HookPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creation stacks interned once each (like pprof's location table), with a started count per site. Bounded:
 * past {@code maxSites}, the least recently used sites whose threads have all ended are folded (forgotten,
 * their starts still counted in {@link #totalStarted()} and the fold counted in {@link #folded()}), so a
 * program that generates call trees cannot grow the table without end. Sites with live threads stay.
 */
public final class SiteTable {
    /** Distinct backtraces remembered (a few hundred bytes each); past it, new ones are decoded every time. */
    static final int MAX_BACKTRACES = 10_000;

    private final int depth;
    private final Blame blame;
    private final int maxSites;
    /** Sites by kind and stack (a thread start and an executor built on one line are two sites). */
    private final Map<StackKey, SiteRecord> byStack = new HashMap<>();

    /**
     * A site's kind and stack. Not a record: a record's equals and hashCode are bootstrapped through
     * {@code ObjectMethods} on first use, about 50 ms of method-handle spinning that a JVM starting one thread paid
     * in its exit dump's drain.
     */
    private static final class StackKey {
        private final int kind;
        private final List<StackTraceElement> stack;

        StackKey(int kind, List<StackTraceElement> stack) {
            this.kind = kind;
            this.stack = stack;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StackKey k && k.kind == kind && k.stack.equals(stack);
        }

        @Override
        public int hashCode() {
            return 31 * kind + stack.hashCode();
        }
    }
    /** Sites by raw backtrace: a start from a known stack skips getStackTrace() (about 4-15 us of the drain). */
    private final Map<Backtrace, SiteRecord> byBacktrace = new HashMap<>();
    /** Kept sites in id order (ids only grow). */
    private final Map<Integer, SiteRecord> byId = new LinkedHashMap<>();
    private int nextId;
    private long startSequence;
    private volatile long totalStarted;
    /** Of {@link #totalStarted}, the starts whose stack was captured (the others placed by their sampling key). */
    private volatile long stacksCaptured;
    private volatile long folded;

    public SiteTable(int depth, Blame blame, int maxSites) {
        this.depth = depth;
        this.blame = blame;
        this.maxSites = maxSites;
    }

    /** A table that keeps up to 10,000 sites. */
    public SiteTable(int depth, Blame blame) {
        this(depth, blame, 10_000);
    }

    /**
     * Interns the stack captured inside Thread.start and counts one thread start for its site. A
     * {@link CreationStack} also names the thread's class, whose overrides of {@code start} are not the creation site.
     */
    public SiteRecord intern(Throwable creation) {
        return intern(creation, SiteRecord.THREAD, creation instanceof CreationStack c ? c.threadClass : Thread.class);
    }

    /**
     * Interns a captured stack and counts one use of its site: an executor built ({@link SiteRecord#EXECUTOR}), a task
     * submission sampled ({@link SiteRecord#SUBMISSION}).
     */
    public SiteRecord intern(Throwable creation, int kind) {
        return intern(creation, kind, Thread.class);
    }

    /**
     * Interns a captured stack of {@code kind}; thread starts ({@link SiteRecord#THREAD}) are counted in
     * {@link #totalStarted()} too. {@code ownClass} is the started thread's class (whose overrides of {@code start}
     * are not the creation site), or the built executor's (whose constructors calling {@code super(...)} are not
     * where it was built). A backtrace decodes the same for every object it makes: a frame of an overriding
     * {@code start} or a subclass's constructor only runs for that class or one that inherits from it.
     */
    synchronized SiteRecord intern(Throwable creation, int kind, Class<?> ownClass) {
        Backtrace key = Backtrace.of(creation); // null when unreadable: decoded, and not kept by its backtrace
        SiteRecord site = key == null ? null : byBacktrace.get(key);
        if (site == null) {
            site = decode(creation, kind, ownClass);
            if (key != null && byBacktrace.size() < MAX_BACKTRACES) byBacktrace.put(key.retained(), site);
        }
        site.countStart(++startSequence);
        if (kind == SiteRecord.THREAD) {
            totalStarted++;
            stacksCaptured++;
        }
        return site;
    }

    /** Counts a start that captured no stack, at the site its sampling key names (or at none: the total only). */
    synchronized void countUncaptured(SiteRecord site) {
        if (site != null) site.countStart(++startSequence);
        totalStarted++;
    }

    private SiteRecord decode(Throwable creation, int kind, Class<?> ownClass) {
        StackTraceElement[] raw = creation.getStackTrace();
        int from = callerOfStart(raw, ownClass, kind == SiteRecord.EXECUTOR ? "<init>" : "start");
        // blame is judged on the whole stack, and the cut at depth always keeps the blamed frame
        int blamed = blame.index(Arrays.asList(raw).subList(from, raw.length));
        int to = Math.min(raw.length, from + Math.max(depth, blamed + 1));
        List<StackTraceElement> stack = List.of(Arrays.copyOfRange(raw, from, to));
        StackKey key = new StackKey(kind, stack);
        SiteRecord site = byStack.get(key);
        if (site == null) {
            if (byId.size() >= maxSites) foldIdleSites();
            site = new SiteRecord(nextId++, stack, blamed, to < raw.length, kind);
            byStack.put(key, site);
            byId.put(site.id(), site);
        }
        return site;
    }

    /**
     * Forgets the least recently started sites that have no live thread, down to 90% of the bound, so the
     * next folds are a while off. Their starts stay in {@link #totalStarted()}.
     */
    @SuppressWarnings("NonAtomicVolatileUpdate") // called under this table's lock only (intern); volatile for readers without it
    private void foldIdleSites() {
        List<SiteRecord> idle = new ArrayList<>();
        for (SiteRecord s : byId.values()) {
            if (s.live == 0) idle.add(s);
        }
        idle.sort(Comparator.comparingLong(s -> s.lastStart));
        int excess = byId.size() - maxSites * 9 / 10;
        Set<SiteRecord> gone = new HashSet<>();
        for (SiteRecord s : idle.subList(0, Math.min(excess, idle.size()))) {
            gone.add(s);
            s.folded = true;
            byId.remove(s.id());
            byStack.remove(new StackKey(s.kind(), s.stack()));
        }
        byBacktrace.values().removeIf(gone::contains);
        folded += gone.size();
    }

    public Blame blame() {
        return blame;
    }

    /** Kept sites in id order; a copy, so callers may read it while threads keep starting. */
    public synchronized List<SiteRecord> all() {
        return new ArrayList<>(byId.values());
    }

    /** Threads started since the agent loaded, at every site, kept or folded (executors and submissions not counted). */
    public long totalStarted() {
        return totalStarted;
    }

    /** Thread starts whose creation stack was captured, of {@link #totalStarted()}. */
    public long stacksCaptured() {
        return stacksCaptured;
    }

    /** Sites folded so far to keep the table within its bound. */
    public long folded() {
        return folded;
    }

    /**
     * Index of the first frame below the hook and the hooked method(s) that called it: Thread.start, an
     * executor's constructor, ThreadPoolExecutor.execute. Only the innermost run of hooked frames is cut: a pool
     * worker started while a virtual thread was being started has the virtual thread's start further out in
     * its stack, and that part is the worker's creation stack.
     */
    static int callerOfStart(StackTraceElement[] raw) {
        return callerOfStart(raw, Thread.class, "start");
    }

    /**
     * As {@link #callerOfStart(StackTraceElement[])}, and then past the {@code ownMethod} frames of {@code ownClass}
     * and its superclasses: a thread subclass's {@code start} override calling {@code super.start()}, an executor
     * subclass's constructors calling {@code super(...)}. The site is who started the thread or built the executor.
     * A {@code start} frame of any other class ({@code Server.start()} calling {@code new Thread(..).start()}) is kept.
     */
    static int callerOfStart(StackTraceElement[] raw, Class<?> ownClass, String ownMethod) {
        int i = 0;
        while (i < raw.length && !isHooked(raw[i])) i++;
        if (i == raw.length) return 0;
        while (i < raw.length && isHooked(raw[i])) i++;
        while (i < raw.length && raw[i].getMethodName().equals(ownMethod) && isOwn(ownClass, raw[i].getClassName())) i++;
        return i;
    }

    /** True when {@code className} is {@code ownClass} or one of its superclasses below java.lang.Thread. */
    private static boolean isOwn(Class<?> ownClass, String className) {
        for (Class<?> c = ownClass; c != null && c != Thread.class; c = c.getSuperclass()) {
            if (c.getName().equals(className)) return true;
        }
        return false;
    }

    /** A frame of a hooked method: Thread.start, an executor's constructor, a task handed to an executor. */
    private static boolean isHooked(StackTraceElement e) {
        return HookPoint.cutFromStacks(e.getClassName(), e.getMethodName());
    }
}
