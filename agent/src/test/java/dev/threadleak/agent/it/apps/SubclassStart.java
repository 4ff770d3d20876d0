package dev.threadleak.agent.it.apps;

import java.util.concurrent.locks.LockSupport;

/**
 * Threads whose class overrides {@code start()} (calling {@code super.start()}), one and two levels deep, and a
 * class that is no thread but has a {@code start()} that starts one. Each thread parks for good (daemon); the
 * exit dump lists them.
 */
public final class SubclassStart {
    private SubclassStart() {}

    /** A Thread subclass that overrides start: not where its threads are created. */
    static class Worker extends Thread {
        Worker(String name) {
            super(SubclassStart::park, name);
        }

        @Override
        public void start() {
            setDaemon(true);
            super.start();
        }
    }

    /** Overrides the override. */
    static class SpecialWorker extends Worker {
        SpecialWorker(String name) {
            super(name);
        }

        @Override
        public synchronized void start() {
            super.start();
        }
    }

    /** Not a thread: its start() starting one is the creation site. */
    static class Server {
        void start() {
            Thread t = new Thread(SubclassStart::park, "server");
            t.setDaemon(true);
            t.start();
        }
    }

    public static void main(String[] args) {
        startWorker();
        startSpecialWorker();
        new Server().start();
        System.out.println("started");
    }

    static void startWorker() {
        new Worker("worker").start();
    }

    static void startSpecialWorker() {
        new SpecialWorker("special").start();
    }

    private static void park() {
        while (true) LockSupport.park();
    }
}
