package dev.threadleak.agent.it.apps;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Another agent in the same JVM retransforms {@code java.lang.Thread} and the executor classes (as profilers and APM
 * agents do), then a thread is started and a pool built and handed a task: threadleak's hooks must still be in place
 * (in Thread, redefined; in ThreadPoolExecutor, defined from the hooked class file at premain). The thread and the
 * pool's worker wait until the JVM exits.
 */
public final class RetransformsThread {
    private RetransformsThread() {}

    public static void main(String[] args) throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        ClassFileTransformer looksOnly = new ClassFileTransformer() { };
        inst.addTransformer(looksOnly, true);
        Class<?>[] hooked = {Thread.class, ThreadPoolExecutor.class, ForkJoinPool.class};
        inst.retransformClasses(hooked);
        inst.removeTransformer(looksOnly);
        inst.retransformClasses(hooked); // and once more with no transformer at all: back to the initial bytes
        CountDownLatch never = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "after-retransform");
        t.setDaemon(true);
        t.start(); // SITE: after another agent retransformed Thread
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), RetransformsThread::daemon); // POOL:
        pool.execute(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        System.out.println("started");
    }

    private static Thread daemon(Runnable r) {
        Thread worker = new Thread(r);
        worker.setDaemon(true);
        return worker;
    }
}
