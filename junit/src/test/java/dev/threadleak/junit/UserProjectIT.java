package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.junit.Child.Jdk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A user's project (src/test/resources/user-project), set up exactly as README says, built by Maven with Surefire, on
 * the oldest supported JUnit Jupiter and on JUnit 6. The built jars are installed into the local repository first,
 * as {@code mvn install} would. Skipped, saying which, only when the local repository lacks third-party artifacts
 * the build needs and they cannot be downloaded.
 */
class UserProjectIT {
    private static final String VERSION = Child.required("threadleak.version");

    @ParameterizedTest(name = "JUnit {0} on JDK {1}")
    @CsvSource({"5.10.2, 17", "6.1.3, 25"})
    void surefireRunFailsTheLeakyClassNamingTheLineThatStartedTheWorker(String junit, int feature, @TempDir Path tmp) throws IOException {
        Path repo = Path.of(Child.required("threadleak.localRepository"));
        installOnce(repo);
        Path project = copyOfUserProject("user-project-" + junit);
        Jdk jdk = Child.jdks().stream().filter(j -> j.feature() == feature).findFirst().orElseThrow();

        // offline (and fast) when the local repository has all it needs; online only to fetch what it lacks
        Child build = maven(project, repo, junit, jdk, tmp, true);
        Set<String> missing = matches(NOT_DOWNLOADED, build.stdout());
        if (!missing.isEmpty()) {
            assertThat(missing).as("installed above, never downloaded; build output:\n%s", build.stdout()).noneMatch(UserProjectIT::ours);
            build = maven(project, repo, junit, jdk, tmp, false);
            Set<String> unreachable = matches(NOT_TRANSFERRED, build.stdout());
            assertThat(unreachable).as("installed above, never downloaded; build output:\n%s", build.stdout()).noneMatch(UserProjectIT::ours);
            assumeTrue(unreachable.isEmpty(), () -> "the local Maven repository lacks " + missing + " and this machine cannot download "
                    + unreachable);
        }

        String out = build.stdout();
        assertThat(build.exit()).as(out).isEqualTo(1);
        // Surefire counts the class's failure as one more test
        assertThat(out).contains("Tests run: 3, Failures: 1, Errors: 0, Skipped: 0")
                .contains("dev.threadleak.junit.ThreadLeakError: \n1 thread leaked by class LeakyTest (alive after it, not before it;"
                        + " still running after 2000 ms)\n")
                .containsPattern("\n\"pool-\\d+-thread-1\" #\\d+ platform WAITING \\(parked on "
                        + "java.util.concurrent.locks.AbstractQueuedSynchronizer\\$ConditionObject\\)\n")
                .contains("\n    created at: com.example.LeakyTest.computesInTheBackground(LeakyTest.java:14)\n")
                .contains("\n    started by: test LeakyTest.computesInTheBackground() (thread \"main\" #")
                .contains("\n    pool of:    ThreadPoolExecutor built at com.example.LeakyTest.computesInTheBackground(LeakyTest.java:13),"
                        + " never shut down\n")
                .doesNotContain("CleanTest -- Time elapsed");
        Files.writeString(project.resolve("build-output.txt"), out); // README's example message comes from here
    }

    /** Maven's words for an artifact an offline build needs and the local repository lacks. */
    private static final Pattern NOT_DOWNLOADED = Pattern.compile("the artifact (\\S+) has not been downloaded from it before");
    /** Maven's words for an artifact a build could not download (no network, a repository unreachable): not "Could not find". */
    private static final Pattern NOT_TRANSFERRED = Pattern.compile("Could not transfer artifact (\\S+) from/to");

    private static Child maven(Path project, Path repo, String junit, Jdk jdk, Path tmp, boolean offline) {
        List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "test", "-Djunit.version=" + junit, "-Dthreadleak.version=" + VERSION,
                "-Dmaven.repo.local=" + repo));
        if (offline) mvn.add("-o");
        // the JVMs of the build (Surefire's fork, with the agent, among them) write their temporary files, and the
        // agent its dumps, under the test's own directory
        return Child.run(mvn, project, Map.of("JAVA_HOME", jdk.home().toString(), "JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp));
    }

    private static Set<String> matches(Pattern artifact, String output) {
        Set<String> out = new TreeSet<>();
        for (Matcher m = artifact.matcher(output); m.find(); ) out.add(m.group(1));
        return out;
    }

    private static boolean ours(String artifact) {
        return artifact.startsWith("dev.threadleak:");
    }

    private static boolean installed;

    /** Both builds share the local repository (and may run side by side): install once. */
    private static synchronized void installOnce(Path repo) throws IOException {
        if (installed) return;
        install(repo, "threadleak-agent", Child.AGENT_JAR);
        install(repo, "threadleak-junit", Path.of(Child.required("threadleak.junitJar")));
        installed = true;
    }

    /** Puts a built jar into the local repository with a pom of its own (no parent, no dependencies). */
    private static void install(Path repo, String artifact, Path jar) throws IOException {
        Path dir = repo.resolve("dev/threadleak/" + artifact + "/" + VERSION);
        Files.createDirectories(dir);
        Files.copy(jar, dir.resolve(artifact + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve(artifact + "-" + VERSION + ".pom"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
                + "  <modelVersion>4.0.0</modelVersion>\n  <groupId>dev.threadleak</groupId>\n  <artifactId>" + artifact + "</artifactId>\n"
                + "  <version>" + VERSION + "</version>\n</project>\n");
    }

    private static Path copyOfUserProject(String name) throws IOException {
        Path from = Child.PROJECT_ROOT.resolve("junit/src/test/resources/user-project");
        Path to = Child.PROJECT_ROOT.resolve("junit/target/" + name);
        if (Files.exists(to)) {
            try (Stream<Path> old = Files.walk(to)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(p -> {
                try {
                    Files.copy(p, to.resolve(from.relativize(p).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }
}
