package dev.threadleak.corpus;

import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Healthy: a JMX connector server over RMI (its registry on a free port), started once, polled by a monitor once
 * per step: connect, read an attribute, close (as a monitoring agent polls a service). RMI's connection threads
 * come and go; the server and its registry are stopped at exit.
 */
public final class JmxPolled {
    public static void main(String[] args) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Registry registry = LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(url, null, ManagementFactory.getPlatformMBeanServer());
        server.start();
        ObjectName runtime = new ObjectName(ManagementFactory.RUNTIME_MXBEAN_NAME);
        Ramp.run(args, 12, (level, deadline) -> {
            // this program's own connector server on 127.0.0.1: no one else's data is read
            try (@SuppressWarnings("BanJNDI") JMXConnector monitor = JMXConnectorFactory.connect(url)) {
                monitor.getMBeanServerConnection().getAttribute(runtime, "Uptime");
            }
        }, () -> {
            server.stop();
            UnicastRemoteObject.unexportObject(registry, true);
        });
    }
}
