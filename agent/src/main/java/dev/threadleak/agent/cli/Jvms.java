package dev.threadleak.agent.cli;

import com.sun.tools.attach.VirtualMachine;
import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.expose.ThreadLeakMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/** Local JVMs through the attach API (module jdk.attach): which there are, and why one cannot be attached to. */
final class Jvms {
    private Jvms() {}

    /**
     * A JVM the attach API lists: its pid and display name (main class or jar, and arguments). JDK types stay out of
     * the commands' signatures: picocli reads every command's methods at start, and a runtime without jdk.attach
     * would fail on them before any command ran (see {@link #require}).
     */
    record Jvm(String pid, String displayName) {}

    /**
     * Fails with one line naming the first of {@code modules} this runtime lacks: {@code command} cannot work here.
     * Checked by each command that attaches, before it does; the others never look.
     */
    static void require(String command, String... modules) throws UsageException {
        for (String module : modules) {
            if (RuntimeModules.absent(module)) {
                throw new UsageException(RuntimeModules.missing(command, module,
                        "run it with a full JDK's java (report, check, diff and watch need java.base only)"));
            }
        }
    }

    /**
     * A connection to the local JMX connector of process {@code pid} (started there through the attach API when it is not
     * running); the caller closes it. Every failure is one line naming {@code command}.
     */
    static JMXConnector localJmx(String command, String pid) throws UsageException {
        String address;
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                address = vm.startLocalManagementAgent(); // the running one's address if it is started already
            } finally {
                vm.detach();
            }
        } catch (Exception e) {
            // the target's runtime, jlinked without it, answers with its own FindException
            if (String.valueOf(e.getMessage()).contains("Module jdk.management.agent not found")) {
                throw new UsageException(command + ": process " + pid + "'s runtime lacks module jdk.management.agent (its local JMX"
                        + " connector): add the module to its runtime");
            }
            throw new UsageException(command + ": cannot start the local JMX connector in process " + pid + ": " + e);
        }
        // the address is the target's own local connector (from the attach API, a JVM of this user), not user input
        try {
            @SuppressWarnings("BanJNDI")
            JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            return connector;
        } catch (IOException e) {
            throw new UsageException(command + ": cannot connect to process " + pid + "'s local JMX connector: " + e.getMessage());
        }
    }

    /** Calls the agent's {@code dump()} in process {@code pid} over JMX; the path of the file it wrote. */
    static String agentDump(String command, String pid) throws UsageException {
        try (JMXConnector connector = localJmx(command, pid)) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName bean = new ObjectName(ThreadLeakMXBean.OBJECT_NAME);
            // the agent registers its bean within a second (AgentLoop.MBEAN_CHECK_NANOS) of the platform MBean
            // server's start, which attaching just did
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
            while (!server.isRegistered(bean) && System.nanoTime() - deadline < 0) Thread.sleep(20); // polling
            if (!server.isRegistered(bean)) {
                throw new UsageException(command + ": process " + pid + " has the agent but no " + ThreadLeakMXBean.OBJECT_NAME
                        + " MXBean yet (it registers one second after loading, or could not: see the process's stderr)");
            }
            return (String) server.invoke(bean, "dump", null, null);
        } catch (UsageException e) {
            throw e;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new UsageException(command + ": process " + pid + " could not write a dump: " + root.getMessage());
        }
    }

    /** The attachable JVMs of this user, this CLI left out (root's attach API also lists other users' JVMs, which it cannot attach to). */
    static List<Jvm> list() {
        String self = String.valueOf(ProcessHandle.current().pid());
        return VirtualMachine.list().stream().filter(d -> !d.id().equals(self) && ownedByMe(d.id()))
                .map(d -> new Jvm(d.id(), d.displayName())).toList();
    }

    private static boolean ownedByMe(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).flatMap(p -> p.info().user()).map(u -> u.equals(System.getProperty("user.name"))).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Checks that {@code pid} is a JVM this user can attach to; otherwise a one-line reason: no such process,
     * another user's, not a JVM, or a JVM that refuses attaching.
     */
    static void checkAttachable(String command, String pid) throws UsageException {
        if (!pid.matches("\\d{1,10}")) throw new UsageException(command + ": '" + pid + "' is not a process id");
        Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
        if (process.isEmpty()) throw new UsageException(command + ": no process " + pid);
        ProcessHandle.Info info = process.get().info();
        String me = System.getProperty("user.name");
        Optional<String> user = info.user();
        if (user.isPresent() && !user.get().equals(me)) {
            throw new UsageException(command + ": process " + pid + " belongs to user " + user.get() + ", not " + me
                    + "; the attach API only reaches JVMs of the same user (run as that user: sudo -u " + user.get() + " ...)");
        }
        if (list().stream().anyMatch(d -> d.pid().equals(pid))) return;
        String executable = info.command().map(c -> Path.of(c).getFileName().toString()).orElse("");
        boolean jvm = executable.equals("java") || Files.exists(Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + me, pid));
        if (jvm) {
            throw new UsageException(command + ": process " + pid + " is a JVM that does not accept attaching (started with"
                    + " -XX:+DisableAttachMechanism, or not yet ready); restart it with -javaagent instead");
        }
        throw new UsageException(command + ": process " + pid + (executable.isEmpty() ? "" : " (" + executable + ")") + " is not a Java virtual machine");
    }
}
