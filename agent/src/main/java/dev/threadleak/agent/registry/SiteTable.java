package dev.threadleak.agent.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Creation stacks interned once each (like pprof's location table), with a started count per site. */
public final class SiteTable {
    private final int depth;
    private final Blame blame;
    private final Map<List<StackTraceElement>, Site> byStack = new HashMap<>();
    /** Sites by raw backtrace: a start from a known stack skips getStackTrace() (about 4-15 us of the drain). */
    private final Map<Backtrace, Site> byBacktrace = new HashMap<>();
    private final List<Site> byId = new ArrayList<>();

    public SiteTable(int depth, Blame blame) {
        this.depth = depth;
        this.blame = blame;
    }

    /** Interns the stack captured inside Thread.start and counts one start for its site. */
    public synchronized Site intern(Throwable creation) {
        Backtrace key = Backtrace.of(creation); // null when unreadable: decode, as before
        Site site = key == null ? null : byBacktrace.get(key);
        if (site == null) {
            site = decode(creation);
            if (key != null && byBacktrace.size() < MAX_BACKTRACES) byBacktrace.put(key.retained(), site);
        }
        site.countStart();
        return site;
    }

    /** Distinct backtraces remembered (a few hundred bytes each); past it, new ones are decoded every time. */
    static final int MAX_BACKTRACES = 10_000;

    private Site decode(Throwable creation) {
        StackTraceElement[] raw = creation.getStackTrace();
        int from = callerOfStart(raw);
        // blame is judged on the whole stack, and the cut at depth always keeps the blamed frame
        int blamed = blame.index(Arrays.asList(raw).subList(from, raw.length));
        int to = Math.min(raw.length, from + Math.max(depth, blamed + 1));
        List<StackTraceElement> stack = List.of(Arrays.copyOfRange(raw, from, to));
        Site site = byStack.get(stack);
        if (site == null) {
            site = new Site(byId.size(), stack, blamed, to < raw.length);
            byStack.put(stack, site);
            byId.add(site);
        }
        return site;
    }

    /** All sites in id order; a copy, so callers may read it while threads keep starting. */
    public synchronized List<Site> all() {
        return new ArrayList<>(byId);
    }

    /**
     * Index of the first frame below the hook and the start method(s) that called it. Only the innermost
     * run of start frames is cut: a pool worker started while a virtual thread was being started has the
     * virtual thread's start further out in its stack, and that part is the worker's creation stack.
     */
    static int callerOfStart(StackTraceElement[] raw) {
        int i = 0;
        while (i < raw.length && !isStart(raw[i])) i++;
        if (i == raw.length) return 0;
        while (i < raw.length && isStart(raw[i])) i++;
        return i;
    }

    private static boolean isStart(StackTraceElement e) {
        String cls = e.getClassName();
        return e.getMethodName().equals("start") && (cls.equals("java.lang.Thread") || cls.equals("java.lang.VirtualThread"));
    }
}
