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
    private final List<Site> byId = new ArrayList<>();

    public SiteTable(int depth, Blame blame) {
        this.depth = depth;
        this.blame = blame;
    }

    /** Interns the stack captured inside Thread.start and counts one start for its site. */
    public synchronized Site intern(Throwable creation) {
        StackTraceElement[] raw = creation.getStackTrace();
        int from = callerOfStart(raw);
        int to = Math.min(raw.length, from + depth);
        List<StackTraceElement> stack = List.of(Arrays.copyOfRange(raw, from, to));
        Site site = byStack.get(stack);
        if (site == null) {
            site = new Site(byId.size(), stack, blame.index(stack), to < raw.length);
            byStack.put(stack, site);
            byId.add(site);
        }
        site.countStart();
        return site;
    }

    /** All sites in id order; a copy, so callers may read it while threads keep starting. */
    public synchronized List<Site> all() {
        return new ArrayList<>(byId);
    }

    /** Sum of started counts: threads started since the agent loaded. */
    public synchronized long totalStarted() {
        long total = 0;
        for (Site s : byId) total += s.started();
        return total;
    }

    /** Index of the first frame below the hook, Thread.start and any start(...) overloads it went through. */
    static int callerOfStart(StackTraceElement[] raw) {
        int from = 0;
        for (int i = 0; i < raw.length; i++) {
            String cls = raw[i].getClassName();
            if (raw[i].getMethodName().equals("start") && (cls.equals("java.lang.Thread") || cls.equals("java.lang.VirtualThread"))) {
                from = i + 1;
            }
        }
        return from;
    }
}
