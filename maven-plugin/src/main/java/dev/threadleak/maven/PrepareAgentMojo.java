package dev.threadleak.maven;

import dev.threadleak.agent.config.Options;
import java.io.File;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Puts the threadleak agent into the test JVMs: sets a property (by default {@code argLine}, which Surefire and
 * Failsafe read) to {@code -javaagent:<agent jar>=<options>}, keeping what the property already held. The agent
 * jar is the one this plugin depends on, so its version is the plugin's.
 */
@Mojo(name = "prepare-agent", defaultPhase = LifecyclePhase.INITIALIZE, threadSafe = true)
public class PrepareAgentMojo extends AbstractMojo {
    /** The agent as this plugin's dependency: {@code groupId:artifactId}, the key of Maven's plugin artifact map. */
    static final String AGENT = "dev.threadleak:threadleak-agent";

    /** The property to set: {@code argLine} for Surefire and Failsafe, or another one an {@code argLine} names. */
    @Parameter(property = "threadleak.propertyName", defaultValue = "argLine")
    private String propertyName;

    /** The agent's {@code dir}: where each test JVM writes its dumps, and where {@code check} reads them. */
    @Parameter(property = "threadleak.dumpDir", defaultValue = "${project.build.directory}/threadleak")
    private File dir;

    /** The agent's {@code app}: application packages, comma-separated, whose first frame is the blame frame. */
    @Parameter(property = "threadleak.app")
    private String app;

    /** The agent's {@code blocked}: how long one wait makes a thread long-blocked (e.g. {@code 10s}). */
    @Parameter(property = "threadleak.blocked")
    private String blocked;

    /** The agent's {@code interval}: periodic dumps during a long test run (e.g. {@code 30s}); each JVM dumps on exit anyway. */
    @Parameter(property = "threadleak.interval")
    private String interval;

    /** More agent options, {@code key=value,key=value}, as README's options table lists them. */
    @Parameter(property = "threadleak.options")
    private String options;

    /** Leaves the test JVMs without the agent. */
    @Parameter(property = "threadleak.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${plugin.artifactMap}", readonly = true, required = true)
    private Map<String, Artifact> pluginArtifacts;

    @Parameter(defaultValue = "${project.properties}", readonly = true, required = true)
    private Properties projectProperties;

    @Override
    public void execute() throws MojoExecutionException {
        String old = projectProperties.getProperty(propertyName);
        if (skip) {
            // an argLine of "${argLine}" would reach the JVM as it is written
            if (old == null) projectProperties.setProperty(propertyName, "");
            getLog().info("threadleak: skipped; the test JVMs run without the agent");
            return;
        }
        Artifact agent = pluginArtifacts.get(AGENT);
        if (agent == null || agent.getFile() == null) throw new MojoExecutionException("threadleak: the plugin's dependency " + AGENT + " was not resolved");
        String agentOptions;
        try {
            agentOptions = Options.forTarget(agentOptions());
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("threadleak: " + e.getMessage());
        }
        String argument = quoted("-javaagent:" + agent.getFile().getAbsolutePath() + "=" + agentOptions);
        String value = old == null || old.isBlank() ? argument : old.contains(argument) ? old : argument + " " + old;
        projectProperties.setProperty(propertyName, value);
        getLog().info("threadleak: " + propertyName + " set to " + value);
    }

    /** The options as the agent reads them: those given here, then the free {@code options}, which may override them. */
    private String agentOptions() {
        StringBuilder out = new StringBuilder("dir=").append(dir.getAbsolutePath());
        if (app != null && !app.isBlank()) out.append(",app=").append(app.strip());
        if (blocked != null && !blocked.isBlank()) out.append(",blocked=").append(blocked.strip());
        if (interval != null && !interval.isBlank()) out.append(",interval=").append(interval.strip());
        if (options != null && !options.isBlank()) out.append(',').append(options.strip());
        return out.toString();
    }

    /**
     * One JVM argument as Surefire's argLine splits them (on spaces, outside quotes; quotes are not escaped):
     * in double quotes when it holds a space or a single quote, in single quotes when it holds a double quote.
     */
    static String quoted(String argument) throws MojoExecutionException {
        boolean single = argument.indexOf('\'') >= 0, dbl = argument.indexOf('"') >= 0;
        if (single && dbl) throw new MojoExecutionException("threadleak: cannot pass both kinds of quote in one argLine argument: " + argument);
        if (dbl) return "'" + argument + "'";
        if (single || argument.chars().anyMatch(Character::isWhitespace)) return "\"" + argument + "\"";
        return argument;
    }
}
