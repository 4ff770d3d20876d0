package dev.threadleak.samples;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * LEAK: every request starts a consumer thread ("consumer-N", non-daemon) that take()s from a queue.
 * The producer puts two items and then gives up without sending an end marker, so the consumer
 * blocks forever in take() and one thread is leaked per request.
 */
public final class BlockedConsumers {

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "BlockedConsumers: one request every 100 ms for %d s;"
                + " each request starts a consumer thread that blocks forever in take()",
                BlockedConsumers::handleRequest);
        // The blocked consumers are non-daemon and would keep the JVM alive: exit deliberately.
        System.exit(0);
    }

    static void handleRequest(int n) throws InterruptedException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        new Thread(() -> consume(queue), "consumer-" + n).start(); // LEAK: consumer blocks forever in take(), producer never sends an end marker
        produce(queue, n);
    }

    static void produce(BlockingQueue<String> queue, int n) throws InterruptedException {
        queue.put("item-" + n + "-1");
        queue.put("item-" + n + "-2");
        // ...and gives up here: no end marker, so the consumer waits forever.
    }

    static void consume(BlockingQueue<String> queue) {
        try {
            while (true) {
                String item = queue.take(); // WAITS: blocked here forever once the two items are consumed
                Samples.work(item.length());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private BlockedConsumers() {
    }
}
