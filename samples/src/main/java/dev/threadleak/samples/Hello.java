package dev.threadleak.samples;

/**
 * Prints exactly "hello" and returns; used to prove the agent adds no output of its own, and to time start-up.
 * With the argument {@code thread} it prints from a thread it starts and joins: almost every real program starts a
 * thread in its first second, and the agent's first start has costs of its own.
 */
public final class Hello {

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("thread")) {
            Thread t = new Thread(() -> System.out.println("hello"), "hello");
            t.start();
            t.join();
        } else {
            System.out.println("hello");
        }
    }

    private Hello() {
    }
}
