package dev.threadleak.agent;

import static org.assertj.core.api.Assertions.fail;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.ThreadFactory;

/**
 * Golden stacks from the running JDK, for the rules that read stacks (wait reasons, blame): a thread is put in a
 * real wait and read as the sampler reads it (ThreadMXBean), or a real creation path is captured, so a JDK whose
 * frames differ from what a rule expects fails its test instead of the rule silently missing them.
 */
public final class RealStacks {
    private static final long DEADLINE_NS = 10_000_000_000L;

    private RealStacks() {}

    /** What a held thread runs until it is interrupted or its resources are closed. */
    public interface Body {
        void run() throws Exception;
    }

    /** A thread held in a wait, as ThreadMXBean read it; closing ends the wait (what {@code resources} close). */
    public record Held(Thread thread, ThreadInfo info, List<AutoCloseable> resources) implements AutoCloseable {
        public Thread.State state() {
            return info.getThreadState();
        }

        public StackTraceElement[] stack() {
            return info.getStackTrace();
        }

        /** The lock it waits for, as the sampler names it ({@code Class@hash}), or null. */
        public String lock() {
            LockInfo lock = info.getLockInfo();
            return lock == null ? null : lock.toString();
        }

        public String owner() {
            return info.getLockOwnerName();
        }

        public List<String> classNames() {
            return Arrays.stream(stack()).map(StackTraceElement::getClassName).toList();
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable r : resources) r.close();
        }
    }

    /** Starts a daemon thread named {@code name} running {@code body}, and returns it once it waits; closing interrupts it. */
    public static Held start(String name, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Exception released) {
                // interrupted or its resource closed by Held.close: the wait is over
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return whenWaiting(t, t::interrupt);
    }

    /**
     * Reads {@code thread} once it waits: not RUNNABLE, or RUNNABLE in a native method (socket and selector
     * calls), and the same stack on two reads in a row, so a passing moment (a native call on the way to the wait)
     * is not taken for the wait. Fails the test after a deadline.
     */
    public static Held whenWaiting(Thread thread, AutoCloseable... resources) {
        long end = System.nanoTime() + DEADLINE_NS;
        ThreadInfo before = null;
        while (true) {
            ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(new long[] {thread.getId()}, false, false)[0];
            if (info != null && waiting(info) && before != null && Arrays.equals(before.getStackTrace(), info.getStackTrace())
                    && before.getThreadState() == info.getThreadState()) {
                return new Held(thread, info, List.of(resources));
            }
            before = info;
            if (System.nanoTime() > end) fail("timed out waiting for " + thread.getName() + " to wait; last read: " + info);
            try {
                Thread.sleep(20); // poll interval, not a timing assumption
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static boolean waiting(ThreadInfo info) {
        StackTraceElement[] stack = info.getStackTrace();
        return switch (info.getThreadState()) {
            case BLOCKED, WAITING, TIMED_WAITING -> true;
            case RUNNABLE -> stack.length > 0 && stack[0].isNativeMethod();
            default -> false;
        };
    }

    /** A live thread of this JVM by name (a Timer's, the JDK's own "Reference Handler"), read once it waits. */
    public static Held named(String name, AutoCloseable... resources) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) return whenWaiting(t, resources);
        }
        return fail("no thread named " + name);
    }

    /**
     * A thread factory that records the stack of each call, as the JDK's own code makes it: the frames below
     * {@code newThread} are the real creation path of a pool's worker (the agent's hook sees the same path, a few
     * frames later, in {@code Thread.start}).
     */
    public static final class CapturingFactory implements ThreadFactory, ForkJoinPool.ForkJoinWorkerThreadFactory {
        private final List<List<StackTraceElement>> captured = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        @Override
        public synchronized Thread newThread(Runnable r) {
            Thread t = new Thread(r, "captured-" + threads.size());
            t.setDaemon(true);
            return captured(t);
        }

        @Override
        public synchronized ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            return captured(ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool));
        }

        private <T extends Thread> T captured(T t) {
            List<StackTraceElement> stack = Arrays.asList(new Throwable().getStackTrace());
            captured.add(stack.subList(2, stack.size())); // from newThread's caller
            threads.add(t);
            return t;
        }

        /** The stack below {@code newThread} of the first thread made. */
        public synchronized List<StackTraceElement> firstCreation() {
            return captured.get(0);
        }

        public synchronized Thread firstThread() {
            return threads.get(0);
        }
    }
}
