package dev.threadleak.samples;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** Fixed twin of {@link BlockedConsumers}: the producer ends with a poison pill, so each consumer ends. */
public final class BlockedConsumersFixed {

    /** End marker; compared by identity. */
    private static final String POISON = new String("<end>");

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "BlockedConsumersFixed: one request every 100 ms for %d s;"
                + " each request starts a consumer thread that ends on a poison pill",
                BlockedConsumersFixed::handleRequest);
        System.exit(0);
    }

    static void handleRequest(int n) throws InterruptedException {
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        Thread consumer = new Thread(() -> consume(queue), "consumer-" + n);
        consumer.start();
        produce(queue, n);
        consumer.join();
    }

    static void produce(BlockingQueue<String> queue, int n) throws InterruptedException {
        queue.put("item-" + n + "-1");
        queue.put("item-" + n + "-2");
        queue.put(POISON);
    }

    static void consume(BlockingQueue<String> queue) {
        try {
            while (true) {
                String item = queue.take();
                if (item == POISON) {
                    return;
                }
                Samples.work(item.length());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private BlockedConsumersFixed() {
    }
}
