package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code threadleak --version} names the version the build gave the jar and the git commit it was built from. */
class VersionIT {
    @Test
    void versionAndCommitOfTheBuild() throws Exception {
        Result r = ChildJvm.cli("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("threadleak " + System.getProperty("threadleak.version")
                + " (commit " + headCommit(Path.of(System.getProperty("threadleak.projectRoot"))) + ")\n");
    }

    /** What the build wrote: git's HEAD, 12 characters, or "unknown" outside a git repository (a source tarball). */
    private static String headCommit(Path root) throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(git.waitFor(30, TimeUnit.SECONDS)).as("git rev-parse exited").isTrue();
        return git.exitValue() == 0 ? out : "unknown";
    }
}
