package dev.threadleak.agent.it.apps;

/**
 * Starts and joins {@code count} threads, each from a distinct call path (a generated call tree: at each of
 * 16 levels, left or right), so every start has a creation site of its own. Prints "started N" and exits.
 */
public final class ManySites {
    private ManySites() {}

    public static void main(String[] args) throws InterruptedException {
        int count = Integer.parseInt(args[0]);
        for (int path = 0; path < count; path++) descend(path, 16);
        System.out.println("started " + count);
    }

    private static void descend(int path, int level) throws InterruptedException {
        if (level == 0) {
            Thread t = new Thread(() -> { }, "short");
            t.start();
            t.join();
        } else if ((path >> (level - 1) & 1) == 0) {
            left(path, level - 1);
        } else {
            right(path, level - 1);
        }
    }

    private static void left(int path, int level) throws InterruptedException {
        descend(path, level);
    }

    private static void right(int path, int level) throws InterruptedException {
        descend(path, level);
    }
}
