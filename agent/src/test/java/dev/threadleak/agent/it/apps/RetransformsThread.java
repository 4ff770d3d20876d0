package dev.threadleak.agent.it.apps;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.concurrent.CountDownLatch;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * Another agent in the same JVM retransforms {@code java.lang.Thread} (as profilers and APM agents do), then a
 * thread is started: threadleak's start hook must still be in place. The thread waits until the JVM exits.
 */
public final class RetransformsThread {
    private RetransformsThread() {}

    public static void main(String[] args) throws Exception {
        Instrumentation inst = ByteBuddyAgent.install();
        ClassFileTransformer looksOnly = new ClassFileTransformer() { };
        inst.addTransformer(looksOnly, true);
        inst.retransformClasses(Thread.class);
        inst.removeTransformer(looksOnly);
        inst.retransformClasses(Thread.class); // and once more with no transformer at all: back to the initial bytes
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
        System.out.println("started");
    }
}
