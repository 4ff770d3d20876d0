package dev.threadleak.agent.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prints {@code set up} once the agent is set up, then waits (30 s at most) until {@code dumps} dump files
 * are in {@code args[0]} and prints {@code dumped}. Between the two lines the app loads no class of its
 * own (its polling runs once before, once the agent has made the directory), so a class loaded then is the agent's
 * or the JDK's own threads'.
 */
public final class DumpsAfterSetUp {
    private DumpsAfterSetUp() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int dumps = Integer.parseInt(args[1]);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        AgentReady.await();
        dumpsIn(dir); // the polling runs once before the window: the directory is there once the agent is set up
        System.out.println("set up");
        while (dumpsIn(dir) < dumps && System.nanoTime() - end < 0) Thread.sleep(20); // polling
        System.out.println("dumped");
    }

    private static long dumpsIn(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }
}
