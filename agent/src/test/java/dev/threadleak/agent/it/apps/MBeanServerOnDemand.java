package dev.threadleak.agent.it.apps;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Waits (20 s at most) for the agent's first periodic dump in {@code args[0]}, so its set-up is done; prints how many
 * MBean servers exist then ("servers 0": the agent made none); then makes the platform one, as a JMX tool attaching
 * does, and prints "registered" once the agent's bean is in it (5 s at most), else "not registered".
 */
public final class MBeanServerOnDemand {
    private MBeanServerOnDemand() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!hasDump(dir) && System.nanoTime() - end < 0) Thread.sleep(20); // polling
        System.out.println("servers " + MBeanServerFactory.findMBeanServer(null).size());
        ObjectName agent = new ObjectName("dev.threadleak:type=ThreadLeak");
        var server = ManagementFactory.getPlatformMBeanServer();
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!server.isRegistered(agent) && System.nanoTime() - end < 0) Thread.sleep(10); // polling
        System.out.println(server.isRegistered(agent) ? "registered" : "not registered");
    }

    private static boolean hasDump(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return false;
        try (var files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".json"));
        }
    }
}
