package dev.threadleak.agent.it.lib;

import java.util.concurrent.ThreadFactory;

/** Stands for a third-party library that starts threads for its caller. */
public final class Spawner {
    private Spawner() {}

    public static ThreadFactory factory(String name) {
        return r -> new Thread(r, name);
    }

    public static void spawn(ThreadFactory factory, Runnable task) {
        factory.newThread(task).start();
    }
}
