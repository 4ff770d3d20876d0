package dev.threadleak.agent.it.apps;

/**
 * Starts {@code starters × perStarter} short-lived platform threads that do nothing: each of the
 * starter threads starts one and joins it, {@code perStarter} times. All of them are started from one
 * line ({@link #startAndJoin}), so they share one creation site. Prints the total and exits.
 */
public final class ManyShortThreads {
    private ManyShortThreads() {}

    public static void main(String[] args) throws InterruptedException {
        int starters = Integer.parseInt(args[0]);
        int perStarter = Integer.parseInt(args[1]);
        Thread[] all = new Thread[starters];
        for (int s = 0; s < starters; s++) {
            all[s] = new Thread(() -> startAndJoin(perStarter), "starter-" + s);
            all[s].start();
        }
        for (Thread t : all) t.join();
        System.out.println("started " + (long) starters * perStarter);
    }

    static void startAndJoin(int n) {
        Runnable nothing = () -> { };
        try {
            for (int i = 0; i < n; i++) {
                Thread t = new Thread(nothing, "short");
                t.start(); // SITE: every short-lived thread starts here
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
