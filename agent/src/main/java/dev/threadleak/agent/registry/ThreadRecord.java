package dev.threadleak.agent.registry;

import dev.threadleak.agent.snapshot.ThreadEntry.Origin;

/**
 * What the agent knows about one started thread. Created on the starting thread (the hot path), so it
 * is one small object plus the not-yet-decoded creation stack; everything else happens on the agent's
 * own thread.
 */
public final class ThreadRecord {
    final Thread thread;
    final long startedAtMs;
    final long starterTid;
    final String starterName;
    final Origin origin;
    /** Raw creation stack, decoded and dropped by {@link Registry#drain()}. */
    Throwable creation;
    int siteId = -1;
    /** One of threadleak's own threads (set when the record is drained). */
    boolean own;
    /** Link in the lock-free pending stack. */
    ThreadRecord next;

    ThreadRecord(Thread thread, long startedAtMs, Thread starter, Throwable creation) {
        this.thread = thread;
        this.startedAtMs = startedAtMs;
        this.starterTid = starter.getId();
        this.starterName = starter.getName();
        this.origin = Origin.STARTED;
        this.creation = creation;
    }

    ThreadRecord(Thread thread, long firstSeenMs, Origin origin) {
        this.thread = thread;
        this.startedAtMs = firstSeenMs;
        this.starterTid = -1;
        this.starterName = null;
        this.origin = origin;
    }

    public Thread thread() { return thread; }
    public long startedAtMs() { return startedAtMs; }
    public long starterTid() { return starterTid; }
    public String starterName() { return starterName; }
    public Origin origin() { return origin; }
    public boolean own() { return own; }
    /** Index into the site table, or -1 when the thread was not seen starting. */
    public int siteId() { return siteId; }
}
