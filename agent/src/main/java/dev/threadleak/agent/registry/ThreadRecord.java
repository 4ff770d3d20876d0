package dev.threadleak.agent.registry;

import dev.threadleak.agent.snapshot.Origin;
import java.lang.ref.WeakReference;

/**
 * What the agent knows about one started thread. Created on the starting thread (the hot path), so it
 * is one small object plus, when sampled, the not-yet-decoded creation stack; everything else happens on the agent's
 * own thread. It refers to its thread weakly (it is the weak reference: no extra object on the hot path),
 * so neither a pending record nor the registry keeps a finished thread, or what its task holds, reachable.
 */
public final class ThreadRecord extends WeakReference<Thread> {
    final long tid;
    final long startedAtMs;
    final long starterTid;
    final String starterName;
    final Origin origin;
    /** Raw creation stack when this start was sampled, decoded and dropped by {@link Registry#drain()}. */
    Throwable creation;
    /**
     * The start's sampling key (null when every start or none is captured), dropped by the drain unless the start was
     * placed by it uncaptured: if the key later names a second site, such a start is placed nowhere.
     */
    CaptureKeys.Key key;
    /** Creation site, or null when the thread was not seen starting (or is the agent's own). */
    SiteRecord site;
    /** One of threadleak's own threads (set when the record is drained). */
    boolean agentThread;
    /** Link in the lock-free pending stack, how many records that stack holds with this one on top, and how many of them hold a creation stack. */
    ThreadRecord next;
    int pendingDepth, pendingStacks;

    ThreadRecord(Thread thread, long startedAtMs, Thread starter, Throwable creation, CaptureKeys.Key key) {
        super(thread);
        this.tid = thread.getId();
        this.startedAtMs = startedAtMs;
        this.starterTid = starter.getId();
        this.starterName = starter.getName();
        this.origin = Origin.STARTED;
        this.creation = creation;
        this.key = key;
    }

    ThreadRecord(Thread thread, long firstSeenMs, Origin origin) {
        super(thread);
        this.tid = thread.getId();
        this.startedAtMs = firstSeenMs;
        this.starterTid = -1;
        this.starterName = null;
        this.origin = origin;
    }

    /** The thread, or null once it has ended and been collected. */
    public Thread thread() { return get(); }
    public long tid() { return tid; }
    public long startedAtMs() { return startedAtMs; }
    public long starterTid() { return starterTid; }
    public String starterName() { return starterName; }
    public Origin origin() { return origin; }
    public boolean agentThread() { return agentThread; }
    /** Index into the site table, or -1 when the thread was not seen starting. */
    public int siteId() { return site == null ? -1 : site.id(); }

    /** True while the thread runs; false once it has ended, whether or not it was collected. */
    boolean alive() {
        Thread t = get();
        return t != null && running(t);
    }

    /**
     * Whether a started thread has not ended. Not {@code isAlive()}: a JNI call on JDK 17, and the drain asks this of
     * every live thread five times a second, a sample once more.
     */
    static boolean running(Thread started) {
        return started.getState() != Thread.State.TERMINATED;
    }
}
