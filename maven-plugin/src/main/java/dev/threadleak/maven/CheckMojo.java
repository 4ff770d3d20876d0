package dev.threadleak.maven;

import dev.threadleak.agent.cli.Main;
import dev.threadleak.agent.snapshot.DumpDirectory;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Reads the dumps the test JVMs wrote during this build (the newest of each JVM: Surefire's and Failsafe's forks are
 * JVMs of their own), prints each one's findings into the build log ({@code threadleak check}), and fails the build
 * when one has a finding of the {@code failOn} severity or above.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class CheckMojo extends AbstractMojo {
    /** The agent's dump directory, as {@code prepare-agent} set it. */
    @Parameter(property = "threadleak.dumpDir", defaultValue = "${project.build.directory}/threadleak")
    private File dir;

    /** The least severe finding that fails the build: CRITICAL, HIGH, MEDIUM or LOW. */
    @Parameter(property = "threadleak.failOn", defaultValue = "HIGH")
    private String failOn;

    /** Fails the build when no test JVM of this build wrote a dump (by default a warning). */
    @Parameter(property = "threadleak.failIfNoDumps", defaultValue = "false")
    private boolean failIfNoDumps;

    /** Skips the check. */
    @Parameter(property = "threadleak.skip", defaultValue = "false")
    private boolean skip;

    /** Dumps older than this build are an earlier build's (the directory is kept without {@code mvn clean}). */
    @Parameter(defaultValue = "${session.request.startTime}", readonly = true, required = true)
    private Date buildStart;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("threadleak: check skipped");
            return;
        }
        List<Path> dumps = newestOfEachJvm(dir.toPath());
        if (dumps.isEmpty()) {
            String message = "threadleak: no test JVM of this build wrote a dump in " + dir
                    + " (is prepare-agent run, and does the test plugin's argLine hold ${argLine}?)";
            if (failIfNoDumps) throw new MojoFailureException(message);
            getLog().warn(message);
            return;
        }
        List<Path> failed = new ArrayList<>();
        for (Path dump : dumps) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int exit = Main.run(new String[] {"check", "--fail-on", failOn, dump.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            if (exit == 2) throw new MojoExecutionException(err.toString(StandardCharsets.UTF_8).strip());
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n", -1)) {
                if (exit == 0) getLog().info(line);
                else getLog().error(line);
            }
            if (exit != 0) failed.add(dump);
        }
        if (!failed.isEmpty()) {
            throw new MojoFailureException("threadleak: findings of severity " + failOn + " or above in the dumps of " + failed.size() + " of "
                    + dumps.size() + " test JVM" + (dumps.size() == 1 ? "" : "s") + " (report above): " + failed);
        }
    }

    /** The newest dump of each JVM that wrote one in {@code dir} since this build started. */
    @SuppressWarnings("JavaUtilDate") // the build's start time is a Date in Maven's API
    private List<Path> newestOfEachJvm(Path dir) throws MojoExecutionException {
        if (!Files.isDirectory(dir)) return List.of();
        Map<String, Path> newest = new LinkedHashMap<>();
        try {
            for (Path p : DumpDirectory.newestFirst(dir)) {
                if (Files.getLastModifiedTime(p).toMillis() < buildStart.getTime()) continue;
                String jvm = DumpDirectory.jvmIdOf(p);
                newest.putIfAbsent(jvm != null ? jvm : p.toString(), p); // the older name form has no JVM id: each file its own
            }
        } catch (IOException e) {
            throw new MojoExecutionException("threadleak: cannot read " + dir + ": " + e.getMessage(), e);
        }
        return new ArrayList<>(newest.values());
    }
}
