package dev.threadleak.agent.it.apps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs until the file named by args[0] exists (the test creates it to end the run), or for at most
 * args[1] seconds (a safety net, not a timing the tests rely on); prints "running" once started and
 * "stopped" at the end, then exits 0.
 */
public final class RunUntil {
    private RunUntil() {}

    public static void main(String[] args) throws InterruptedException {
        Path stop = Path.of(args[0]);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        System.out.println("running");
        while (!Files.exists(stop) && System.nanoTime() - end < 0) {
            Thread.sleep(10); // polling for the stop file
        }
        System.out.println("stopped");
    }
}
