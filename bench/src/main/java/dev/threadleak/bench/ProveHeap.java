package dev.threadleak.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A JVM for measuring {@code threadleak prove}: {@code args[0]} MB of live data in small objects (a node of three fields
 * and a 24-byte array each, about 64 bytes a pair, as a service's maps and strings are), and {@code args[1]} schedulers
 * forgotten (a periodic task, never shut down). Prints {@code ready <objects>} and waits to be killed.
 * {@code java -Xmx<2x>m -cp bench/target/threadleak-bench.jar dev.threadleak.bench.ProveHeap 1024 20}.
 */
public final class ProveHeap {
    /** A small object holding a reference, a number and a little array. */
    static final class Node {
        final Node next;
        final long value;
        final byte[] data;

        Node(Node next, long value) {
            this.next = next;
            this.value = value;
            this.data = new byte[8];
        }
    }

    private static final List<Node> LIVE = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[0]) * 1024 * 1024;
        int pools = Integer.parseInt(args[1]);
        long objects = 0;
        Node chain = null;
        for (long made = 0; made < bytes; made += 64) {
            chain = new Node(chain, made);
            objects += 2;
            if (objects % 200_000 == 0) { // chains of 100,000 nodes: a deep walk, not one of 10 million frames
                LIVE.add(chain);
                chain = null;
            }
        }
        LIVE.add(chain);
        for (int i = 0; i < pools; i++) {
            ScheduledExecutorService forgotten = Executors.newSingleThreadScheduledExecutor();
            forgotten.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS);
        }
        System.out.println("ready " + objects);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private ProveHeap() {
    }
}
