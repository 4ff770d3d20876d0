package dev.threadleak.agent.it.apps;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import javax.management.MalformedObjectNameException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** For apps that must act after the agent's set-up (its quiet first second): its MBean is registered then. */
final class AgentReady {
    private AgentReady() {}

    /** Waits (10 s at most) until the agent's MBean is registered. */
    static void await() throws InterruptedException {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName agent = new ObjectName("dev.threadleak:type=ThreadLeak");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!server.isRegistered(agent) && System.nanoTime() - end < 0) Thread.sleep(10); // polling
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }
}
