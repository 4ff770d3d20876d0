package dev.threadleak.agent.prove;

import dev.threadleak.agent.sample.WaitReason;
import dev.threadleak.agent.snapshot.Frame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Proves thread leaks from a heap dump, as Go's goroutineleak profile does: a thread parked with no timeout can be woken
 * only by code that reaches what it is parked on (its {@code parkBlocker}: a queue's condition, a future, a latch's sync).
 * When nothing reaches that object from the GC roots, leaving out the waiting threads' own (their stack frames and
 * their thread objects as the VM holds them) and the JDK's lists of every thread (a thread group's, the thread
 * containers'), nothing can ever unpark them: the leak is proven, with no threshold and no time. Code that holds a
 * waiting thread's {@code Thread} object reaches its blocker too (through {@code parkBlocker}), and could interrupt it:
 * such a thread is not proven. Waiting threads that are reachable from a thread that can still run are then put back
 * among the roots, until nothing changes (a waiter whose queue a live producer holds is never proven; one whose only
 * waker is itself proven stuck is). {@code Object.wait} with no timeout is judged on its monitor.
 *
 * <p>References are followed whatever their kind, but the agent's own weak references: a weakly held blocker is not
 * proven (the code holding the weak reference might still wake it). Sleeps, timed waits, I/O, joins and monitor entry are
 * not judged, each said why.
 */
final class Prover {
    /** JVMTI thread state bits, as {@code Thread.threadStatus} holds them (JDK 17 to 25). */
    static final int ALIVE = 0x0001, WAITING_INDEFINITELY = 0x0010, IN_OBJECT_WAIT = 0x0100, PARKED = 0x0200, SLEEPING = 0x0040,
            WAITING_WITH_TIMEOUT = 0x0020, BLOCKED_ON_MONITOR_ENTER = 0x0400;

    /** A platform thread as the heap dump shows it. */
    record HeapThread(int serial, long object, long tid, String name, int status, long blocker, List<Frame> stack, boolean threadleak, boolean virtual) {
        /** Waits with no timeout on an object it names: parked on its blocker, or in {@code Object.wait} on a monitor. */
        boolean waitsForever() {
            return (status & ALIVE) != 0 && (status & WAITING_INDEFINITELY) != 0 && (status & (PARKED | IN_OBJECT_WAIT)) != 0 && blocker != 0;
        }

        boolean inObjectWait() {
            return (status & IN_OBJECT_WAIT) != 0;
        }
    }

    /** Threads parked on one object nothing else reaches: proven never to wake. */
    record Proven(long blocker, String blockerClass, List<HeapThread> threads) {}

    /**
     * A thread pool that no code outside its own threads reaches: nothing can ever shut it down, so its core workers never
     * end, though they may wake (a scheduler's periodic task).
     */
    record Forgotten(long pool, String poolClass, List<HeapThread> workers) {}

    /**
     * What was judged: the proven groups, the forgotten pools, the threads that wait but could not be proven, each with why,
     * the threads (virtual ones among them), and why nothing could be judged at all (null when it could).
     */
    record Result(List<Proven> proven, List<Forgotten> forgotten, Map<HeapThread, String> notProven, int threads, int virtualThreads, String refused) {}

    private Prover() {}

    static Result prove(HprofFile heap) throws IOException {
        List<HeapThread> threads = threads(heap);
        int virtual = 0;
        Set<Long> listed = new HashSet<>();
        for (HeapThread t : threads) {
            listed.add(t.object());
            if (t.virtual()) virtual++;
        }
        int withoutStack = 0;
        for (long v : heap.virtualThreads()) {
            if (!listed.contains(v) && virtualStatus(heap, v) != 0) withoutStack++;
        }
        if (withoutStack > 0) { // what their stacks hold is unknown: any wait might be reached from one of them
            return new Result(List.of(), List.of(), Map.of(), threads.size(), virtual, "the heap dump holds " + withoutStack + " live virtual threads but"
                    + " not their stacks (JDK 21 and 22 write none; JDK 23 and later do): what they reference is unknown, so no wait can be proven");
        }
        Set<HeapThread> candidates = new HashSet<>();
        Map<HeapThread, String> notProven = new LinkedHashMap<>();
        Set<HeapThread> threadleak = new HashSet<>();
        for (HeapThread t : threads) {
            if (t.threadleak()) {
                threadleak.add(t); // threadleak's own threads: not judged, and what their stacks hold wakes nothing
            } else if (t.waitsForever()) {
                candidates.add(t);
            } else if ((t.status() & ALIVE) != 0 && (t.status() & (WAITING_INDEFINITELY | WAITING_WITH_TIMEOUT | BLOCKED_ON_MONITOR_ENTER)) != 0) {
                notProven.put(t, why(t));
            } else if ((t.status() & ALIVE) != 0) {
                String io = WaitReason.nativeWait(Frame.elements(t.stack()));
                if (io != null) notProven.put(t, "not provable: in I/O (" + io + "): what wakes it comes from outside the JVM");
            }
        }
        while (true) {
            Set<HeapThread> leftOut = new HashSet<>(candidates);
            leftOut.addAll(threadleak);
            BitSet reached = reach(heap, leftOut);
            List<HeapThread> wakeable = new ArrayList<>();
            for (HeapThread t : candidates) {
                int i = heap.indexOf(t.blocker());
                if (i < 0 || reached.get(i)) wakeable.add(t); // a blocker the dump lacks proves nothing
            }
            if (wakeable.isEmpty()) break;
            for (HeapThread t : wakeable) {
                candidates.remove(t);
                notProven.put(t, "not proven: what it is parked on is reachable from a thread that can run");
            }
        }
        Map<Long, List<HeapThread>> byBlocker = new LinkedHashMap<>();
        for (HeapThread t : threads) {
            if (candidates.contains(t)) byBlocker.computeIfAbsent(t.blocker(), k -> new ArrayList<>()).add(t);
        }
        List<Proven> proven = new ArrayList<>();
        for (Map.Entry<Long, List<HeapThread>> e : byBlocker.entrySet()) {
            String cls = heap.className(heap.classOf(e.getKey()));
            proven.add(new Proven(e.getKey(), cls == null ? "?" : cls, List.copyOf(e.getValue())));
        }
        proven.sort((a, b) -> Integer.compare(b.threads().size(), a.threads().size()));
        List<Forgotten> forgotten = forgottenPools(heap, threads, candidates, threadleak);
        for (Forgotten f : forgotten) {
            for (HeapThread t : f.workers()) notProven.remove(t);
        }
        return new Result(List.copyOf(proven), forgotten, notProven, threads.size(), virtual, null);
    }

    /**
     * The pools whose every worker waits (timed or not), that are running, keep their core workers and have no other (workers
     * beyond the core size end when idle: a cached pool's all do), and that no GC root
     * reaches but their own workers' and the proven threads' (each pool judged on its own: another pool's workers can run,
     * and its tasks might shut this one down). A pool whose workers are all proven parked forever is said there already.
     */
    private static List<Forgotten> forgottenPools(HprofFile heap, List<HeapThread> threads, Set<HeapThread> stuck, Set<HeapThread> threadleak)
            throws IOException {
        Map<Long, List<HeapThread>> byPool = new LinkedHashMap<>();
        for (HeapThread t : threads) {
            if ((t.status() & ALIVE) == 0) continue;
            long pool = poolOf(heap, t.object());
            if (pool != 0) byPool.computeIfAbsent(pool, k -> new ArrayList<>()).add(t);
        }
        Map<Long, List<HeapThread>> judged = new LinkedHashMap<>();
        Set<HeapThread> judgedWorkers = new HashSet<>();
        for (Map.Entry<Long, List<HeapThread>> e : byPool.entrySet()) {
            long pool = e.getKey();
            List<HeapThread> workers = e.getValue();
            if (stuck.containsAll(workers) || !workers.stream().allMatch(Prover::waitsForWork) || !keepsItsWorkers(heap, pool, workers)) continue;
            judged.put(pool, workers);
            judgedWorkers.addAll(workers);
        }
        if (judged.isEmpty()) return List.of();
        // a pool reached with every judged pool's workers left out is reached with only its own left out: one walk rules most out
        Set<HeapThread> leftOut = new HashSet<>(judgedWorkers);
        leftOut.addAll(stuck);
        leftOut.addAll(threadleak);
        BitSet outside = reach(heap, leftOut);
        List<Forgotten> out = new ArrayList<>();
        for (Map.Entry<Long, List<HeapThread>> e : judged.entrySet()) {
            long pool = e.getKey();
            List<HeapThread> workers = e.getValue();
            int i = heap.indexOf(pool);
            if (i < 0 || outside.get(i)) continue;
            // with only its own workers left out, what more is reached is what the other pools' workers reach beyond the
            // outside walk: a walk from their roots over what that walk left, not a walk of the whole heap again
            Set<HeapThread> others = new HashSet<>(judgedWorkers);
            others.removeAll(workers);
            if (!walk(heap, rootsOf(heap, others), outside).get(i)) {
                String cls = heap.className(heap.classOf(pool));
                out.add(new Forgotten(pool, cls == null ? "?" : cls, List.copyOf(workers)));
            }
        }
        return out;
    }

    /** Netty's single-threaded executor: an event loop (its group is the pool, when it has one). */
    private static final String NETTY_EXECUTOR = "io.netty.util.concurrent.SingleThreadEventExecutor";

    /**
     * The pool whose worker {@code thread} is, or 0: a {@code ThreadPoolExecutor} (its runnable is a
     * {@code ThreadPoolExecutor$Worker}), or a Netty event loop's group (its runnable wraps, a few objects in, a runnable of
     * the loop's own: {@code FastThreadLocalRunnable} → {@code ThreadExecutorMap$2} → {@code SingleThreadEventExecutor$5}).
     */
    static long poolOf(HprofFile heap, long thread) throws IOException {
        long task = taskOf(heap, thread);
        if (task == 0) return 0;
        if ("java.util.concurrent.ThreadPoolExecutor$Worker".equals(heap.className(heap.classOf(task)))) {
            Long pool = heap.field(task, "this$0");
            return pool == null ? 0 : pool;
        }
        long loop = nettyLoopOf(heap, task);
        Long group = loop == 0 ? null : heap.field(loop, "parent");
        return group != null && group != 0 ? group : loop;
    }

    /** The Netty event loop whose thread runs {@code task} (its runnable), or 0. */
    private static long nettyLoopOf(HprofFile heap, long task) throws IOException {
        long runnable = task;
        for (int depth = 0; depth < 4 && runnable != 0; depth++) {
            Long outer = heap.field(runnable, "this$0");
            if (outer != null && outer != 0 && heap.superclassNamed(outer, NETTY_EXECUTOR) != 0) return outer;
            Long inner = heap.field(runnable, "runnable");
            if (inner == null || inner == 0) inner = heap.field(runnable, "val$command");
            runnable = inner == null ? 0 : inner;
        }
        return 0;
    }

    /** Waiting for a pool's work: parked (a queue's take or poll), or an event loop's select. */
    private static boolean waitsForWork(HeapThread t) {
        return (t.status() & PARKED) != 0 || "select/epoll wait".equals(WaitReason.nativeWait(Frame.elements(t.stack())));
    }

    /**
     * Whether {@code pool} keeps {@code workers} until it is shut down: a {@code ThreadPoolExecutor} running, whose workers
     * are all core workers that never time out (a cached pool's time out: none of its workers is kept); a Netty group whose
     * event loops are all started (their state read against the library's own constants).
     */
    private static boolean keepsItsWorkers(HprofFile heap, long pool, List<HeapThread> workers) throws IOException {
        Long ctl = heap.field(pool, "ctl");
        if (ctl != null) {
            Long timeOut = heap.field(pool, "allowCoreThreadTimeOut"), core = heap.field(pool, "corePoolSize");
            Long state = ctl == 0 ? null : heap.field(ctl, "value");
            if (state == null || state >= 0 || timeOut == null || timeOut != 0) return false; // shutting down, or its workers end when idle
            return core != null && workers.size() <= core; // workers beyond the core size end when idle (a cached pool has none)
        }
        for (HeapThread w : workers) {
            long loop = nettyLoopOf(heap, taskOf(heap, w.object()));
            long executorClass = loop == 0 ? 0 : heap.superclassNamed(loop, NETTY_EXECUTOR);
            Long state = loop == 0 ? null : heap.field(loop, "state"), started = executorClass == 0 ? null : heap.staticValue(executorClass, "ST_STARTED");
            if (state == null || started == null || !state.equals(started)) return false;
        }
        return true;
    }

    /**
     * A virtual thread's state as the JVMTI bits of a platform thread's {@code threadStatus}: its {@code state} read against
     * {@code VirtualThread}'s own constants in the dump (their numbers differ between JDK 21 and 25). Waits that are mounted
     * or changing read as running (not judged); 0 for one not started or ended.
     */
    private static int virtualStatus(HprofFile heap, long thread) throws IOException {
        Long raw = heap.field(thread, "state");
        if (raw == null) return 0;
        Long suspended = heap.virtualThreadState("SUSPENDED");
        long state = suspended == null ? raw : raw & ~suspended;
        if (is(heap, state, "PARKED", "PINNED")) return ALIVE | WAITING_INDEFINITELY | PARKED;
        if (is(heap, state, "TIMED_PARKED", "TIMED_PINNED")) return ALIVE | WAITING_WITH_TIMEOUT | PARKED;
        if (is(heap, state, "WAIT", null)) return ALIVE | WAITING_INDEFINITELY | IN_OBJECT_WAIT;
        if (is(heap, state, "TIMED_WAIT", null)) return ALIVE | WAITING_WITH_TIMEOUT | IN_OBJECT_WAIT;
        if (is(heap, state, "BLOCKED", null)) return ALIVE | BLOCKED_ON_MONITOR_ENTER;
        if (is(heap, state, "NEW", "TERMINATED")) return 0;
        return ALIVE;
    }

    private static boolean is(HprofFile heap, long state, String name, String orName) throws IOException {
        Long a = heap.virtualThreadState(name), b = orName == null ? null : heap.virtualThreadState(orName);
        return (a != null && a == state) || (b != null && b == state);
    }

    /** One of the agent's threads: its name says so, and it runs the agent's code. */
    private static boolean threadleakThread(HprofFile heap, long thread, String name) throws IOException {
        return name.startsWith("threadleak-") && heap.threadleakClass(heap.classOf(taskOf(heap, thread)));
    }

    /** The {@code Runnable} a thread runs, or 0. */
    private static long taskOf(HprofFile heap, long thread) throws IOException {
        Long task = heap.field(thread, "target"); // JDK 17
        if (task == null || task == 0) { // JDK 19+: in the thread's FieldHolder
            Long holder = heap.field(thread, "holder");
            task = holder == null || holder == 0 ? null : heap.field(holder, "task");
        }
        return task == null ? 0 : task;
    }

    private static String why(HeapThread t) {
        int s = t.status();
        if ((s & SLEEPING) != 0) return "not provable: sleeping (it wakes by itself)";
        if ((s & WAITING_WITH_TIMEOUT) != 0) return "not provable: a timed wait (it wakes by itself)";
        if ((s & IN_OBJECT_WAIT) != 0) return "not provable here: Object.wait on a thread (a join) or on a monitor its frames do not name";
        if ((s & BLOCKED_ON_MONITOR_ENTER) != 0) return "not provable here: blocked entering a monitor";
        return "not provable: not parked on an object it names";
    }

    /**
     * The platform threads: each thread object root, with its name, id, state and what it waits on (its {@code parkBlocker},
     * or in {@code Object.wait} the monitor).
     */
    static List<HeapThread> threads(HprofFile heap) throws IOException {
        Map<Integer, List<HprofFile.Root>> stackRoots = new HashMap<>();
        Set<Long> threadObjects = new HashSet<>();
        for (HprofFile.Root r : heap.roots()) {
            if (r.frame() >= 0) stackRoots.computeIfAbsent(r.threadSerial(), k -> new ArrayList<>()).add(r);
            if (r.kind() == HprofFile.ROOT_THREAD_OBJECT) threadObjects.add(r.id());
        }
        List<HeapThread> out = new ArrayList<>();
        for (HprofFile.Root r : heap.roots()) {
            if (r.kind() != HprofFile.ROOT_THREAD_OBJECT) continue;
            long t = r.id();
            Long status = heap.field(t, "threadStatus");
            if (status == null) { // JDK 19+: in the thread's FieldHolder
                Long holder = heap.field(t, "holder");
                status = holder == null || holder == 0 ? null : heap.field(holder, "threadStatus");
            }
            Long nameId = heap.field(t, "name"), tid = heap.field(t, "tid"), blocker = heap.field(t, "parkBlocker");
            String name = nameId == null || nameId == 0 ? "" : String.valueOf(heap.string(nameId));
            List<Frame> stack = heap.stack(r.threadSerial());
            boolean virtual = heap.isVirtualThread(t);
            int state = virtual ? virtualStatus(heap, t) : status == null ? 0 : status.intValue();
            long waitsOn = (state & IN_OBJECT_WAIT) != 0 ? monitor(t, stack, stackRoots.getOrDefault(r.threadSerial(), List.of())) : blocker == null ? 0 : blocker;
            // a join waits on the joined thread's object, which its own end notifies: never judged as a monitor nobody reaches
            if ((state & IN_OBJECT_WAIT) != 0 && threadObjects.contains(waitsOn)) waitsOn = 0;
            out.add(new HeapThread(r.threadSerial(), t, tid == null ? -1 : tid, name, state, waitsOn, stack, threadleakThread(heap, t, name), virtual));
        }
        return out;
    }

    /**
     * The monitor a thread in {@code Object.wait} waits on: {@code this} of the {@code Object.wait} frames atop its stack,
     * the one object every one of them that holds references holds, the thread's own {@code Thread} left out (JDK 21+'s
     * {@code wait(long)} holds it too); 0 when there is no such one object (not judged).
     */
    private static long monitor(long thread, List<Frame> stack, List<HprofFile.Root> stackRoots) {
        int frames = 0;
        while (frames < stack.size() && stack.get(frames).className().equals("java.lang.Object") && stack.get(frames).method().startsWith("wait")) frames++;
        Set<Long> common = null;
        for (int f = 0; f < frames; f++) {
            Set<Long> held = new HashSet<>();
            for (HprofFile.Root r : stackRoots) {
                if (r.frame() == f && r.id() != thread) held.add(r.id());
            }
            if (held.isEmpty()) continue; // a native frame's references may not be said
            if (common == null) common = held;
            else common.retainAll(held);
        }
        return common != null && common.size() == 1 ? common.iterator().next() : 0;
    }

    /**
     * Everything reachable from the GC roots but the waiting threads' own (their stacks, their thread objects as the VM
     * holds them). The JDK's lists of all threads are not followed ({@link HprofFile#referencesAt}); any other holder of a
     * waiting thread's {@code Thread} object reaches it, and what it holds: whoever holds it can interrupt it.
     */
    static BitSet reach(HprofFile heap, Set<HeapThread> waiting) throws IOException {
        Set<Integer> serials = new HashSet<>();
        Set<Long> threadObjects = new HashSet<>();
        for (HeapThread t : waiting) {
            serials.add(t.serial());
            threadObjects.add(t.object());
        }
        List<Long> starts = new ArrayList<>();
        for (HprofFile.Root r : heap.roots()) {
            // a monitor in use is listed by the VM, which notifies nothing: only code that reaches the object can
            if (r.kind() == HprofFile.ROOT_MONITOR_USED) continue;
            if (r.threadSerial() != 0 && serials.contains(r.threadSerial())) continue;
            if (!threadObjects.contains(r.id())) starts.add(r.id());
        }
        return walk(heap, starts, null);
    }

    /** The GC roots that are {@code threads}' own: their stacks' references and their thread objects. */
    private static List<Long> rootsOf(HprofFile heap, Set<HeapThread> threads) {
        Set<Integer> serials = new HashSet<>();
        for (HeapThread t : threads) serials.add(t.serial());
        List<Long> out = new ArrayList<>();
        for (HprofFile.Root r : heap.roots()) {
            if (r.threadSerial() != 0 && serials.contains(r.threadSerial())) out.add(r.id());
        }
        return out;
    }

    /**
     * The objects reachable from {@code starts} that {@code done} (when not null) does not hold. Depth first, on object
     * indexes (4 bytes each on the stack).
     */
    private static BitSet walk(HprofFile heap, List<Long> starts, BitSet done) throws IOException {
        BitSet reached = new BitSet(heap.objects());
        int[][] stack = {new int[1024]};
        int[] top = {0};
        LongConsumer follow = ref -> {
            int i = heap.indexOf(ref);
            if (i < 0 || reached.get(i) || (done != null && done.get(i))) return;
            reached.set(i);
            if (top[0] == stack[0].length) stack[0] = java.util.Arrays.copyOf(stack[0], top[0] * 2);
            stack[0][top[0]++] = i;
        };
        for (long id : starts) follow.accept(id);
        while (top[0] > 0) heap.referencesAt(stack[0][--top[0]], follow);
        return reached;
    }
}
