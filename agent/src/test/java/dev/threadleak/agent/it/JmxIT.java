package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The MXBean read the way JConsole does: from another JVM, over the local JMX connector. */
class JmxIT {
    private static final String LEAK_SITE = "dev.threadleak.samples.BlockedConsumers.handleRequest(BlockedConsumers.java:";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    /** The agent makes no platform MBean server of its own (120-140 ms of start-up); its bean joins the first one made. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theBeanJoinsThePlatformMBeanServerWhenOneIsMadeAndTheAgentMakesNone(Jdk jdk, @TempDir Path dir) throws Exception {
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=500ms")),
                "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.MBeanServerOnDemand", dir.toString());
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("servers 0\nregistered\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void mxbeanServesCountsFindingsAndOperations(Jdk jdk, @TempDir Path dir) throws Exception {
        withBlockedConsumers(jdk, "dir=" + dir + ",interval=0,sample=200ms,window=2s,blocked=1s,growth=5", (server, name) -> {
            // each check reads one attribute once and asserts on what that one read returned: one snapshot each
            AtomicReference<CompositeData[]> seen = new AtomicReference<>();
            ChildJvm.await("SITE_GROWTH and LONG_BLOCKED findings", Duration.ofSeconds(30), () -> {
                seen.set((CompositeData[]) attr(server, name, "Findings"));
                List<String> kinds = java.util.Arrays.stream(seen.get()).map(f -> (String) f.get("kind")).toList();
                return kinds.contains("SITE_GROWTH") && kinds.contains("LONG_BLOCKED");
            });
            CompositeData[] findings = seen.get();
            ChildJvm.await("3 long-blocked consumers", Duration.ofSeconds(30),
                    () -> ((CompositeData[]) attr(server, name, "LongBlocked")).length >= 3);

            int live = intAttr(server, name, "LiveThreads");
            assertThat(live).isGreaterThan(10);
            assertThat((Integer) server.getAttribute(name, "PeakThreads")).isGreaterThanOrEqualTo(10);
            assertThat((Long) server.getAttribute(name, "TotalStarted")).isGreaterThanOrEqualTo(10);
            CompositeData counts = (CompositeData) server.getAttribute(name, "Counts"); // one snapshot's counts
            assertThat((Integer) counts.get("delta")).isEqualTo((Integer) counts.get("liveThreads") - (Integer) counts.get("baseline"));
            assertThat((Integer) counts.get("liveThreads")).isGreaterThan(10);
            assertThat((Long) counts.get("takenAtMs")).isGreaterThan(0);
            assertThat((Integer) counts.get("longBlockedCount")).isGreaterThanOrEqualTo(3);
            assertThat((Integer) counts.get("findingCount")).isGreaterThanOrEqualTo(2);
            assertThat(intAttr(server, name, "LongBlockedCount")).isGreaterThanOrEqualTo(3);
            assertThat((Long) counts.get("hookFailures")).isZero();
            assertThat((Long) server.getAttribute(name, "HookFailures")).isZero();

            CompositeData[] blocked = (CompositeData[]) server.getAttribute(name, "LongBlocked");
            assertThat(blocked).isNotEmpty();
            assertThat((String) blocked[0].get("name")).startsWith("consumer-");
            assertThat((String) blocked[0].get("waitReason")).isEqualTo("parked on LinkedBlockingQueue.take");
            assertThat((Long) blocked[0].get("waitingForMs")).isGreaterThanOrEqualTo(1000);
            assertThat((String) blocked[0].get("blame")).startsWith(LEAK_SITE);
            String waits = "dev.threadleak.samples.BlockedConsumers.consume(BlockedConsumers.java:" + ChildJvm.lineOf("BlockedConsumers.java", "// WAITS:") + ")";
            assertThat((String) blocked[0].get("waitFrame")).isEqualTo(waits);

            assertThat(findings).extracting(f -> (String) f.get("kind")).contains("SITE_GROWTH", "LONG_BLOCKED");
            CompositeData growth = java.util.Arrays.stream(findings).filter(f -> f.get("kind").equals("SITE_GROWTH")).findFirst().orElseThrow();
            assertThat((String) growth.get("blame")).startsWith(LEAK_SITE);
            assertThat((String[]) growth.get("evidence")).isNotEmpty();
            assertThat((String) growth.get("waitFrame")).as("not about waiting threads").isEmpty();
            CompositeData longBlocked = java.util.Arrays.stream(findings).filter(f -> f.get("kind").equals("LONG_BLOCKED")).findFirst().orElseThrow();
            assertThat((String) longBlocked.get("waitFrame")).isEqualTo(waits);

            CompositeData[] top = (CompositeData[]) server.getAttribute(name, "TopSites");
            assertThat((String) top[0].get("blame")).startsWith(LEAK_SITE);
            assertThat((Integer) top[0].get("live")).isGreaterThan(3);

            String report = (String) server.invoke(name, "report", null, null);
            assertThat(report).contains("[HIGH] SITE_GROWTH").contains("@ " + LEAK_SITE);

            String dumped = (String) server.invoke(name, "dump", null, null);
            assertThat(Path.of(dumped)).exists().hasParent(dir);
            assertThat(Files.readString(Path.of(dumped))).contains("\"format\" : \"threadleak-dump/1\"");

            server.invoke(name, "resetBaseline", null, null);
            CompositeData reset = (CompositeData) server.getAttribute(name, "Counts");
            assertThat((Integer) reset.get("baseline")).isGreaterThanOrEqualTo(live);
            assertThat((Integer) reset.get("delta")).isLessThan(live - 10);
        });
    }

    /**
     * A view never changes what findings see: JMX reads in a tight loop, with sampling off so each read past
     * Registry.DRAIN_MILLIS takes a sample of its own, must not add those samples to the history the dumps' findings are
     * judged on. Each dump's SITE_GROWTH series has one value per scheduled sample: the set-up's first sample,
     * every dump before it, and itself.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void jmxReadsDoNotChangeTheFindingsOfDumps(Jdk jdk, @TempDir Path dir) throws Exception {
        withBlockedConsumers(jdk, "dir=" + dir + ",interval=1s,sample=0,window=1m,blocked=1h,keep=100", (server, name) -> {
            int reads = 0;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (ChildJvm.dumps(dir).size() < 6 && System.nanoTime() < end) {
                intAttr(server, name, "LiveThreads");
                reads++;
            }
            assertThat(ChildJvm.dumps(dir)).as("six periodic dumps within 60 s").hasSizeGreaterThanOrEqualTo(6);
            assertThat(reads).as("JMX reads while the dumps were written").isGreaterThan(100);

            List<Long> takenAt = new java.util.ArrayList<>();
            List<Integer> samplesSeen = new java.util.ArrayList<>();
            for (Path file : ChildJvm.dumps(dir)) {
                var dump = ChildJvm.readDump(file);
                takenAt.add(dump.takenAtMs());
                for (var f : dump.findings()) {
                    if (f.kind().name().equals("SITE_GROWTH")) {
                        String series = f.evidence().stream().filter(e -> e.startsWith("live threads of this site over ")).findFirst().orElseThrow();
                        int n = Integer.parseInt(series.substring("live threads of this site over ".length(), series.indexOf(" samples")));
                        long earlier = takenAt.stream().filter(t -> t < dump.takenAtMs()).count();
                        samplesSeen.add(n);
                        assertThat(n).as("samples in the series of the dump taken after %d others: %s", earlier, series)
                                .isEqualTo((int) earlier + 2);
                    }
                }
            }
            assertThat(samplesSeen).as("dumps with a SITE_GROWTH finding").hasSizeGreaterThanOrEqualTo(3);
        });
    }

    /**
     * {@code http=127.0.0.1:0}: the system picks a free port, and a client finds it where it looks: the MXBean, every dump,
     * {@code threadleak list} (all three name the same address, and the endpoint answers on it).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void portZeroServesOnAFreePortNamedInTheMxBeanTheDumpsAndList(Jdk jdk, @TempDir Path dir) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("dir=" + dir + ",interval=1s,http=127.0.0.1:0"), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.HealthyService", "60");
             JMXConnector jmx = connect(child.pid())) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName name = new ObjectName("dev.threadleak:type=ThreadLeak");
            ChildJvm.await("the MXBean to be registered", Duration.ofSeconds(30), () -> registered(server, name));
            AtomicReference<String> address = new AtomicReference<>("");
            ChildJvm.await("HttpAddress to name the endpoint", Duration.ofSeconds(30), () -> {
                address.set((String) attr(server, name, "HttpAddress"));
                return !address.get().isEmpty();
            });
            assertThat(address.get()).matches("127\\.0\\.0\\.1:\\d+").isNotEqualTo("127.0.0.1:0");
            assertThat(HttpIT.get("http://" + address.get() + "/health").body()).contains("\"status\" : \"ok\"");

            ChildJvm.await("a dump naming the address", Duration.ofSeconds(30), () -> {
                List<Path> dumps = ChildJvm.dumps(dir);
                try {
                    return !dumps.isEmpty() && Files.readString(dumps.get(dumps.size() - 1)).contains("\"http\" : \"" + address.get() + "\"");
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(ChildJvm.newestDump(dir).http()).isEqualTo(address.get());
            assertThat(ChildJvm.lines(ChildJvm.cli("list").stdout()))
                    .anyMatch(l -> l.startsWith(child.pid() + " ") && l.endsWith(" loaded, dumps in " + dir + ", http on " + address.get()));
        }
    }

    /** What a test does with the MXBean of a running child. */
    private interface MxBeanUse {
        void use(MBeanServerConnection server, ObjectName name) throws Exception;
    }

    /** Runs BlockedConsumers under the agent with {@code options}, connects over JMX and waits for the MXBean. */
    private static void withBlockedConsumers(Jdk jdk, String options, MxBeanUse test) throws Exception {
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent(options), "-cp", ChildJvm.SAMPLES_CP),
                "dev.threadleak.samples.BlockedConsumers", "60");
             JMXConnector jmx = connect(child.pid())) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            ObjectName name = new ObjectName("dev.threadleak:type=ThreadLeak");
            ChildJvm.await("the MXBean to be registered", Duration.ofSeconds(30), () -> registered(server, name));
            test.use(server, name);
        }
    }

    /** Attach, start the local management agent, connect: retried while the child JVM is still starting. */
    static JMXConnector connect(long pid) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
                try {
                    // the child JVM's own local connector, from the attach API: not user input
                    @SuppressWarnings("BanJNDI")
                    JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
                    return connector;
                } finally {
                    vm.detach();
                }
            } catch (Exception notReadyYet) {
                if (System.nanoTime() > end) throw notReadyYet;
                Thread.sleep(50); // poll interval while the child starts
            }
        }
    }

    private static boolean registered(MBeanServerConnection server, ObjectName name) {
        try {
            return server.isRegistered(name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int intAttr(MBeanServerConnection server, ObjectName name, String attribute) {
        return (Integer) attr(server, name, attribute);
    }

    private static Object attr(MBeanServerConnection server, ObjectName name, String attribute) {
        try {
            return server.getAttribute(name, attribute);
        } catch (Exception e) {
            throw new AssertionError("reading " + attribute, e);
        }
    }
}
