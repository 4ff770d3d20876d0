package dev.threadleak.agent.it.apps;

/** A short JVM: waits args[0] milliseconds (the scenario: a run that ends within its first second), prints "done". */
public final class ShortRun {
    private ShortRun() {}

    public static void main(String[] args) throws InterruptedException {
        Thread.sleep(Long.parseLong(args[0]));
        System.out.println("done");
    }
}
