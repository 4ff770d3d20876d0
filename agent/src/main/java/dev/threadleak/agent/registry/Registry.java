package dev.threadleak.agent.registry;

import dev.threadleak.agent.snapshot.ThreadEntry.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Live threads and their creation sites. Starting threads only push a record onto a lock-free stack
 * ({@link #accept}); decoding stacks, interning sites and dropping dead threads happen in {@link #drain()},
 * called from the agent's own thread (and from snapshot takers), under this object's lock, which
 * application code never sees.
 */
public final class Registry implements Consumer<Thread> {
    private final AtomicReference<ThreadRecord> pending = new AtomicReference<>();
    private final SiteTable sites;
    private final List<ThreadRecord> live = new ArrayList<>();
    private final Set<Thread> own = new HashSet<>();
    /** Live threads recorded without a start (before the agent, or by the JVM); a late start record replaces theirs. */
    private final Set<Thread> notSeenStarting = new HashSet<>();

    public Registry(SiteTable sites) {
        this.sites = sites;
    }

    /** The hot path, run inside Thread.start: one record, one stack capture, one CAS loop. */
    @Override
    public void accept(Thread thread) {
        ThreadRecord record = new ThreadRecord(thread, System.currentTimeMillis(), Thread.currentThread(), new Throwable());
        ThreadRecord head;
        do {
            head = pending.get();
            record.next = head;
        } while (!pending.compareAndSet(head, record));
    }

    /** Thread.isVirtual() exists from JDK 21 only; the class tells on every JDK. */
    public static boolean isVirtual(Thread t) {
        return t.getClass().getName().equals("java.lang.VirtualThread");
    }

    /** Runs the hot path once, so that its classes are loaded and linked before any hook calls it. */
    public void warmUp() {
        accept(Thread.currentThread());
        pending.set(null);
    }

    /** Marks one of the agent's own threads: it is tracked like any other but flagged as the agent's. */
    public synchronized void markOwn(Thread thread) {
        own.add(thread);
    }

    /** Records platform threads that were running before the hooks were installed (or that the JVM started natively). */
    public synchronized void addUnseen(Iterable<Thread> threads, long nowMs, Origin origin) {
        drain();
        Set<Thread> known = new HashSet<>();
        for (ThreadRecord r : live) {
            if (!isVirtual(r.thread)) known.add(r.thread); // callers pass platform threads
        }
        for (Thread t : threads) {
            if (t.isAlive() && known.add(t)) {
                ThreadRecord r = new ThreadRecord(t, nowMs, origin);
                r.own = own.contains(t);
                live.add(r);
                notSeenStarting.add(t);
            }
        }
    }

    /** Decodes pending creation stacks into sites and drops records of threads that have ended. */
    public synchronized void drain() {
        ThreadRecord chain = pending.getAndSet(null);
        // the stack is newest-first; reverse it so live threads stay in start order
        ThreadRecord ordered = null;
        while (chain != null) {
            ThreadRecord next = chain.next;
            chain.next = ordered;
            ordered = chain;
            chain = next;
        }
        for (ThreadRecord r = ordered; r != null; ) {
            ThreadRecord next = r.next;
            r.next = null;
            // the agent's own threads get no site: site counts are the application's alone
            r.own = own.contains(r.thread);
            if (!r.own) r.siteId = sites.intern(r.creation).id();
            r.creation = null;
            if (notSeenStarting.remove(r.thread)) {
                Thread started = r.thread;
                live.removeIf(old -> old.thread == started);
            }
            live.add(r);
            r = next;
        }
        live.removeIf(r -> !r.thread.isAlive());
        own.removeIf(t -> t.getState() == Thread.State.TERMINATED); // not isAlive: marked before start
        notSeenStarting.removeIf(t -> !t.isAlive());
    }

    /** Drains, then returns the records of live threads in start order. */
    public synchronized List<ThreadRecord> liveRecords() {
        drain();
        return new ArrayList<>(live);
    }

    /** True once any thread (other than the agent's own) has been started since the agent loaded. */
    public synchronized boolean anyStarted() {
        drain();
        return !sites.all().isEmpty();
    }

    public synchronized int liveCount() {
        return live.size();
    }

    public SiteTable sites() {
        return sites;
    }
}
