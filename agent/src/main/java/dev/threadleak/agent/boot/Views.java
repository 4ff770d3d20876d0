package dev.threadleak.agent.boot;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.Options;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.expose.AgentCost;
import dev.threadleak.agent.expose.HttpEndpoint;
import dev.threadleak.agent.expose.ThreadLeakBean;
import dev.threadleak.agent.expose.ThreadLeakMXBean;
import dev.threadleak.agent.registry.Registry;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.Snapshot;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
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

    Views(Dumper dumper, Options options, Registry registry, Log log) {
        this.dumper = dumper;
        this.pipeline = dumper.pipeline();
        this.options = options;
        this.registry = registry;
        this.log = log;
    }

    /**
     * Registers the MXBean once a platform MBean server exists: the application's, a JMX agent's, or the one a tool
     * that attaches starts (jconsole, {@code threadleak dump}); checked every round of the agent thread, so within
     * {@link Registry#DRAIN_MILLIS} ms of it. The
     * agent does not make one itself: with every platform MXBean (JFR's and the diagnostic commands' among them) it
     * costs 120-140 ms at start-up, for a bean no one may read. True once registered, or once it failed (said once).
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
        try {
            // read again (it was checked at launch) by the rule of launch: regular file, bounded, so this thread never blocks on it
            String token = options.token() == null ? null : Options.readToken(options.token());
            InetSocketAddress bound = HttpEndpoint.start(this, options.http(), token, options.threads(), options.health(), log, registry::markAgentThread);
            if (bound != null) {
                // where a client finds it, port 0's choice included: the dumps, the MXBean, and `threadleak list` (this property)
                String serving = HttpEndpoint.show(bound);
                pipeline.serving(serving);
                System.setProperty(Wire.HTTP_PROPERTY, serving);
            }
        } catch (Throwable t) {
            String why = t instanceof Options.BadTokenFile ? "token file '" + options.token() + "' " + t.getMessage() : t.toString();
            log.warn(Printable.oneLine("cannot start the HTTP endpoint on " + options.http() + ": " + why
                    + "; /metrics, /health and /debug/threads are off"));
        }
    }

    @Override
    public Snapshot last() {
        return pipeline.last();
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
    public void resetBaseline() {
        pipeline.resetBaseline();
    }
}
