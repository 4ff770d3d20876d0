package dev.threadleak.agent.sample;

import dev.threadleak.agent.snapshot.Deadlock;
import dev.threadleak.agent.snapshot.ThreadEntry;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Lock cycles from the threads the JVM reports deadlocked ({@code ThreadMXBean.findDeadlockedThreads}): each
 * cycle once, as the chain of waiter, lock wanted, owner. The JVM's list also holds threads that only lead
 * into a cycle (waiting for a lock a deadlocked thread holds); they belong to no cycle and are left out.
 */
public final class LockCycles {
    /** What a thread waits for: the lock and its owner ({@code ownerTid} -1 when the lock is free or none). */
    record Waiter(long tid, String name, String lock, long ownerTid, String ownerName) {}

    private LockCycles() {}

    /** The cycles among {@code threads}, each waiting for the lock its {@code lockOwner} holds (a dump read from the JDK's text). */
    public static List<Deadlock> among(List<ThreadEntry> threads) {
        Map<Long, Waiter> waiters = new HashMap<>();
        for (ThreadEntry t : threads) {
            String lock = t.blockedOn() != null ? t.blockedOn() : t.parkBlocker();
            if (t.lockOwner() != null && lock != null) {
                waiters.put(t.tid(), new Waiter(t.tid(), t.name(), lock, t.lockOwner().tid(), t.lockOwner().name()));
            }
        }
        long[] ids = new long[waiters.size()];
        int i = 0;
        for (long id : waiters.keySet()) ids[i++] = id;
        java.util.Arrays.sort(ids);
        return of(ids, waiters::get);
    }

    /** @param waiterOf a thread's current wait by id, or null when it ended meanwhile */
    static List<Deadlock> of(long[] deadlocked, LongFunction<Waiter> waiterOf) {
        List<Deadlock> out = new ArrayList<>();
        Set<Long> done = new HashSet<>();
        for (long id : deadlocked) {
            if (done.contains(id)) continue;
            // walk owners until a thread repeats: that thread is on the cycle, those before it only lead into it
            Set<Long> path = new HashSet<>();
            long cur = id;
            while (path.add(cur)) {
                Waiter w = waiterOf.apply(cur);
                if (w == null || w.ownerTid() < 0) break;
                cur = w.ownerTid();
            }
            done.addAll(path);
            long start = cur;
            List<Deadlock.Link> cycle = new ArrayList<>();
            do {
                Waiter w = waiterOf.apply(cur);
                if (w == null || w.ownerTid() < 0) break;
                cycle.add(new Deadlock.Link(new ThreadRef(cur, w.name()), w.lock(), new ThreadRef(w.ownerTid(), w.ownerName())));
                cur = w.ownerTid();
            } while (cur != start);
            if (cycle.size() > 1 && cur == start) out.add(new Deadlock(List.copyOf(cycle)));
        }
        return out;
    }
}
