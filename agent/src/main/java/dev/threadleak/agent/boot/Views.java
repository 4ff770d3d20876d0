package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.expose.AgentCost;
import dev.threadleak.agent.expose.HtmlReport;
import dev.threadleak.agent.expose.HttpEndpoint;
import dev.threadleak.agent.expose.ThreadLeakBean;
import dev.threadleak.agent.expose.ThreadLeakMXBean;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * The live views, the JMX bean and the HTTP endpoint: what they read of the agent (the {@link Dumper}'s pipeline), and
 * putting them up, which the agent thread does once set-up is done.
 */
final class Views implements ThreadLeakBean.Source, HttpEndpoint.Source {
    private final Dumper dumper;
    private final Pipeline pipeline;
    private final Options options;
    private final Registry registry;
    private final Log log;
    /** One proof at a time: each is a heap dump the size of the live heap. */
    private final java.util.concurrent.atomic.AtomicBoolean proving = new java.util.concurrent.atomic.AtomicBoolean();

    Views(Dumper dumper, Options options, Registry registry, Log log) {
        this.dumper = dumper;
        this.pipeline = dumper.pipeline();
        this.options = options;
        this.registry = registry;
        this.log = log;
    }

    /**
     * Registers the MXBean once a platform MBean server exists: the application's, a JMX agent's, or the one a tool
     * that attaches starts (jconsole, {@code threadleak dump}); looked for every
     * {@link AgentLoop#MBEAN_CHECK_NANOS} until then. The agent does not make one itself: with every platform MXBean
     * (JFR's and the diagnostic commands' among them) it costs 120-140 ms at start-up, for a bean no one may read. True once registered, or once it failed (said once).
     */
    boolean registerMBean() {
        try {
            if (MBeanServerFactory.findMBeanServer(null).isEmpty()) return false;
            ManagementFactory.getPlatformMBeanServer().registerMBean(new ThreadLeakBean(this), new ObjectName(ThreadLeakMXBean.OBJECT_NAME));
        } catch (Throwable t) {
            log.warn("cannot register the JMX MBean " + ThreadLeakMXBean.OBJECT_NAME + ": " + t);
        }
        return true;
    }

    /** Starts the HTTP endpoint, or says in one line why it cannot. */
    void startHttp() {
        boolean up = false;
        try {
            // read again (it was checked at launch) by the rule of launch: regular file, bounded, so this thread never blocks on it
            String token = options.token() == null ? null : Options.readToken(options.token());
            pipeline.keepLast(); // before the first request can come
            InetSocketAddress bound = HttpEndpoint.start(this, options.http(), token, options.threads(), options.health(), log, registry::markAgentThread);
            if (bound != null) {
                // where a client finds it, port 0's choice included: the dumps, the MXBean, and `threadleak list` (this property)
                String serving = HttpEndpoint.show(bound);
                pipeline.serving(serving);
                System.setProperty(Wire.HTTP_PROPERTY, serving);
                up = true;
            }
        } catch (Throwable t) {
            String why = t instanceof Options.BadTokenFile ? "token file '" + options.token() + "' " + t.getMessage() : t.toString();
            log.warn(Printable.oneLine("cannot start the HTTP endpoint on " + options.http() + ": " + why
                    + "; /metrics, /health and /debug/threads are off"));
        }
        if (!up) pipeline.stopKeeping(); // no page to serve from it
    }

    @Override
    public Snapshot last() {
        return pipeline.last();
    }

    @Override
    public List<HtmlReport.Point> recent() {
        return pipeline.recent();
    }

    @Override
    public AgentCost cost() {
        return dumper.cost();
    }

    /** The last sample when it is fresh (within one sample interval), else a new one that the history does not keep. */
    @Override
    public Snapshot latest() {
        return pipeline.latest();
    }

    @Override
    public Path dump() {
        return dumper.dump(Dumper.ON_DEMAND);
    }

    @Override
    public String prove() {
        if (!proving.compareAndSet(false, true)) throw new IllegalStateException("threadleak: a proof is running already");
        String name = "threadleak-" + ProcessHandle.current().pid() + "-prove-" + System.currentTimeMillis();
        Path heap = options.dir().resolve(name + ".hprof"), withProof = options.dir().resolve(name + ".proof");
        try {
            Path jar = AgentStart.agentJar();
            if (jar == null) throw new IllegalStateException("threadleak: prove: cannot tell where the agent jar is");
            long start = System.nanoTime();
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(heap.toString(), true);
            String said = String.format(java.util.Locale.ROOT, "threadleak: prove: heap dump of %.1f MB written in %d ms (the pause, about), deleted after the proof%n",
                    Files.size(heap) / 1e6, (System.nanoTime() - start) / 1_000_000);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "prove"));
            Path sites = dumper.dump(Dumper.ON_DEMAND);
            if (sites != null) command.addAll(List.of("--agent-dump", sites.toString(), "-o", withProof.toString()));
            command.add(heap.toString());
            Process proof = new ProcessBuilder(command).redirectErrorStream(true).start();
            proof.getOutputStream().close();
            String out = new String(proof.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = proof.waitFor();
            if (exit != 0 && exit != 1) throw new IllegalStateException("threadleak: prove failed (exit " + exit + "): " + out.strip());
            if (Files.exists(withProof)) keepProven(withProof);
            return said + out;
        } catch (IOException e) {
            throw new IllegalStateException("threadleak: prove: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("threadleak: prove: interrupted");
        } finally {
            try {
                Files.deleteIfExists(heap);
                Files.deleteIfExists(withProof);
            } catch (IOException e) {
                log.warn("cannot delete the heap dump " + heap + ": " + e);
            }
            proving.set(false);
        }
    }

    /** The proof's findings, from the agent's dump the proving JVM wrote back: every sample from now on judges them again. */
    private void keepProven(Path withProof) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(withProof)) {
            List<Finding> proven = new ArrayList<>();
            for (Finding f : SnapshotCodec.read(in, withProof.toString()).findings()) {
                if (f.kind() == Finding.Kind.PROVEN_LEAK) proven.add(f);
            }
            pipeline.proven(proven);
        } catch (DumpFormatException e) {
            throw new IOException("the proof's dump could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public void resetBaseline() {
        pipeline.resetBaseline();
    }
}
