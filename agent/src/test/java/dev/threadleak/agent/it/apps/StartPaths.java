package dev.threadleak.agent.it.apps;

import java.lang.reflect.Method;
import java.util.Timer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Starts threads through each start path named on the command line, one method per path (the method's
 * name is the blame frame a test expects), waits until every started task runs, then exits: the agent's
 * exit dump shows them all alive. APIs newer than 17 are called reflectively: this compiles for 17.
 */
public final class StartPaths {
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    /** java.lang.Thread.Builder (JDK 21+): its methods are public, unlike those of its JDK-internal implementations. */
    private static final Class<?> BUILDER = builderInterface();

    public static void main(String[] args) {
        try {
            startAll(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // the threads already started would keep the JVM alive
        }
        System.out.println("started " + String.join(" ", args));
        System.exit(0);
    }

    private static void startAll(String[] args) throws Exception {
        for (String path : args) {
            CountDownLatch running = new CountDownLatch(tasks(path));
            Method m = StartPaths.class.getDeclaredMethod(path, Runnable.class);
            m.invoke(null, (Runnable) () -> {
                running.countDown();
                park();
            });
            if (!running.await(30, TimeUnit.SECONDS)) throw new IllegalStateException(path + ": tasks did not run");
        }
    }

    private static Class<?> builderInterface() {
        try {
            return Class.forName("java.lang.Thread$Builder");
        } catch (ClassNotFoundException beforeJdk21) {
            return null;
        }
    }

    /** Tasks each path runs (each on a thread of its own). */
    static int tasks(String path) {
        return path.equals("threadPool") ? 2 : 1;
    }

    private static void park() {
        try {
            NEVER.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void plainThread(Runnable task) {
        new Thread(task, "path-plain").start();
    }

    static void platformBuilder(Runnable task) throws Exception {
        Object builder = Thread.class.getMethod("ofPlatform").invoke(null);
        builder = BUILDER.getMethod("name", String.class).invoke(builder, "path-builder");
        BUILDER.getMethod("start", Runnable.class).invoke(builder, task);
    }

    static void threadPool(Runnable task) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>());
        for (int i = 0; i < 2; i++) pool.execute(task); // one line: one creation site
    }

    static void scheduledPool(Runnable task) {
        Executors.newScheduledThreadPool(1).schedule(task, 1, TimeUnit.MILLISECONDS);
    }

    static void forkJoinCustom(Runnable task) {
        new ForkJoinPool(2).execute(task);
    }

    static void forkJoinCommon(Runnable task) {
        ForkJoinPool.commonPool().execute(task);
    }

    static void timer(Runnable task) {
        new Timer("path-timer").schedule(new java.util.TimerTask() {
            @Override
            public void run() {
                task.run();
            }
        }, 1);
    }

    static void virtualBuilder(Runnable task) throws Exception {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        builder = BUILDER.getMethod("name", String.class).invoke(builder, "path-virtual");
        BUILDER.getMethod("start", Runnable.class).invoke(builder, task);
    }

    static void startVirtualThread(Runnable task) throws Exception {
        Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
    }

    static void virtualExecutor(Runnable task) throws Exception {
        ExecutorService ex = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        ex.submit(task);
    }

    /** Through a thread factory in a "library" package: blame goes to the library unless app= names ours. */
    static void viaLibrary(Runnable task) {
        ThreadFactory factory = dev.threadleak.agent.it.lib.Spawner.factory("path-lib");
        dev.threadleak.agent.it.lib.Spawner.spawn(factory, task);
    }
}
