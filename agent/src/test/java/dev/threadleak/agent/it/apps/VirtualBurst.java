package dev.threadleak.agent.it.apps;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;

/**
 * A burst of virtual-thread starts from one line (JDK 21+): {@code count} threads that park on a latch until the
 * JVM exits ({@code parked}), or that end at once ({@code short}, awaited before exit). {@code now} starts them
 * as soon as main runs, inside the agent's quiet first second; {@code afterSetUp} waits for the agent's set-up.
 * Prints {@code started <count>} when every start has returned (and, for {@code short}, every thread has ended).
 */
public final class VirtualBurst {
    private VirtualBurst() {}

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[0]);
        boolean parked = args[1].equals("parked");
        if (args[2].equals("afterSetUp")) AgentReady.await();
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        ThreadFactory factory = (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(parked ? 0 : count);
        Runnable task = parked ? () -> awaitQuietly(release) : ended::countDown;
        for (int i = 0; i < count; i++) {
            Thread t = factory.newThread(task);
            t.start(); // SITE: every thread of the burst starts here
        }
        ended.await();
        System.out.println("started " + count);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
