package dev.threadleak.agent.it.apps;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Thread starts that the agent's sampled capture must still place on the right line. Two phases, so that the
 * second runs after the agent has drained the first (its keys know their sites, and sampling is on): phase 1, then
 * "phase 1 done" and a wait for the file {@code go}, which the test makes once a dump was taken after it; phase 2,
 * then "done", and the JVM exits (the exit dump is what the test reads). {@code platform} or {@code virtual} threads.
 * <ul>
 * <li>{@code hidden}: one leaking line among 100 healthy call paths. The healthy threads all run one shared task
 *     (one sampling key from 100 places: captured every time once seen), the leaking line its own lambda (one key,
 *     one place: sampled). Each phase: every healthy path starts and joins one thread per round, the leak starts
 *     one thread that never ends; phase 1 one round, phase 2 {@code rounds}.</li>
 * <li>{@code switch}: phase 1 starts and joins 10 threads of a shared task at line A; phase 2 starts {@code rounds}
 *     never-ending threads of the same task at line B: a key known at one line turning up at another.</li>
 * </ul>
 */
public final class SampledStarts {
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static final Runnable SHARED = new Job(false);
    /** Thread.startVirtualThread (JDK 21+; this compiles for 17). invokeExact leaves no frame of its own in a stack. */
    private static final MethodHandle START_VIRTUAL = startVirtual();
    private static boolean virtual;

    private SampledStarts() {}

    public static void main(String[] args) throws Throwable {
        String mode = args[0];
        virtual = args[1].equals("virtual");
        int rounds = Integer.parseInt(args[2]);
        Path go = Path.of(args[3]);
        AgentReady.await(); // sampling by key begins with the agent's set-up, after its quiet first second
        Runnable a = new Job(false), b = new Job(true); // one class: one sampling key at two lines
        for (int phase = 1; phase <= 2; phase++) {
            if (phase == 2) {
                System.out.println("phase 1 done");
                while (!Files.exists(go)) Thread.sleep(20);
            }
            if (mode.equals("hidden")) hidden(phase == 1 ? 1 : rounds); // one line for both phases: one stack
            else if (phase == 1) {
                for (int i = 0; i < 10; i++) {
                    Thread t = virtual ? (Thread) START_VIRTUAL.invokeExact(a) : new Thread(a); if (!virtual) t.start(); // LINE A
                    t.join();
                }
            } else {
                for (int i = 0; i < rounds; i++) {
                    Thread t = virtual ? (Thread) START_VIRTUAL.invokeExact(b) : new Thread(b); if (!virtual) t.start(); // LINE B
                }
            }
        }
        System.out.println("done");
        System.exit(0); // the leaked threads never end; the exit dump is written on the way out
    }

    private static void hidden(int rounds) throws Throwable {
        Runnable leaked = () -> parked(); // a lambda of its own: the leaking line's own sampling key
        for (int r = 0; r < rounds; r++) {
            for (int path = 0; path < 100; path++) descend(path, 7);
            Thread t = virtual ? (Thread) START_VIRTUAL.invokeExact(leaked) : new Thread(leaked); if (!virtual) t.start(); // LEAK
        }
    }

    /** Seven levels, left or right: a call path (a creation site) of its own for each of 100 paths. */
    private static void descend(int path, int level) throws Throwable {
        if (level == 0) {
            Thread t = virtual ? (Thread) START_VIRTUAL.invokeExact(SHARED) : new Thread(SHARED); if (!virtual) t.start(); // HEALTHY
            t.join();
        }
        else if ((path >> (level - 1) & 1) == 0) left(path, level - 1);
        else right(path, level - 1);
    }

    private static void left(int path, int level) throws Throwable {
        descend(path, level);
    }

    private static void right(int path, int level) throws Throwable {
        descend(path, level);
    }

    private static MethodHandle startVirtual() {
        try {
            return MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread", MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException beforeJdk21) {
            return null;
        }
    }

    private static void parked() {
        try {
            NEVER.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A task class shared by several lines: returns at once, or never. */
    private static final class Job implements Runnable {
        private final boolean parks;

        Job(boolean parks) {
            this.parks = parks;
        }

        @Override
        public void run() {
            if (parks) parked();
        }
    }
}
