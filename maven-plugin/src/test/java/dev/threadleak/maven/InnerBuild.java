package dev.threadleak.maven;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A user's project (a directory of src/test/resources) built by a real Maven, the one running these tests, with
 * this build's local repository, offline exactly when this build is. What {@code mvn install} would put there, this
 * build's jars and their real poms, is installed first.
 */
record InnerBuild(int exit, String out) {
    static final String VERSION = required("threadleak.version");
    private static final Path ROOT = Path.of(required("threadleak.projectRoot")).normalize();
    private static final Path REPO = Path.of(required("threadleak.localRepository"));
    private static final boolean OFFLINE = offline(required("threadleak.offline"));
    private static final Path MVN = Path.of(required("threadleak.mavenHome"), "bin", "mvn");

    /** Copies the project to {@code target/<name>}, builds it there with these arguments, and keeps its output in build-output.txt. */
    static InnerBuild run(String project, String name, int jdkFeature, List<String> arguments) {
        installOnce();
        Path dir = copy(ROOT.resolve("maven-plugin/src/test/resources").resolve(project), ROOT.resolve("maven-plugin/target").resolve(name));
        // beside the project: JAVA_TOOL_OPTIONS is split on spaces, which a project's directory may hold
        Path tmp = dir.resolveSibling(name.replace(' ', '-') + "-tmp");
        Path output = dir.resolve("build-output.txt");
        List<String> command = new ArrayList<>(List.of(MVN.toString(), "-B", "-Dmaven.repo.local=" + REPO, "-Dthreadleak.version=" + VERSION));
        if (OFFLINE) command.add("-o");
        command.addAll(arguments);
        try {
            Files.createDirectories(tmp);
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().put("JAVA_HOME", jdk(jdkFeature).toString());
            // the build's JVMs (the test forks with the agent among them) keep their temporary files in target
            builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp);
            Process p = builder.start();
            // online with an empty local repository, the first build downloads Maven's plugins and JUnit
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("the build did not end within 600 s: " + command + "\n" + Files.readString(output));
            }
            return new InnerBuild(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The home of the JDK of this feature version among those the tests run on (JDK 17 and 25); a missing one fails. */
    private static Path jdk(int feature) throws IOException {
        for (String home : required("threadleak.jdks").split(File.pathSeparator)) {
            Path release = Path.of(home, "release");
            if (!Files.isRegularFile(release)) fail("JDK for these tests not found: " + home + " (set -Djdk25.home=...)");
            Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
            if (m.find() && Integer.parseInt(m.group(1)) == feature) return Path.of(home);
        }
        throw new AssertionError("no JDK " + feature + " in " + required("threadleak.jdks"));
    }

    private static boolean installed;

    /** The builds share the local repository and may run side by side: installed once. */
    private static synchronized void installOnce() {
        if (installed) return;
        install("threadleak-parent", ROOT.resolve("pom.xml"), null);
        install("threadleak-agent", ROOT.resolve("agent/pom.xml"), ROOT.resolve("agent/target/threadleak-agent.jar"));
        install("threadleak-junit", ROOT.resolve("junit/pom.xml"), ROOT.resolve("junit/target/threadleak-junit.jar"));
        install("threadleak-maven-plugin", ROOT.resolve("maven-plugin/pom.xml"), ROOT.resolve("maven-plugin/target/threadleak-maven-plugin.jar"));
        installed = true;
    }

    /** A module's own pom (and jar) where {@code mvn install} puts them; each file appears whole, for a build reading it meanwhile. */
    private static void install(String artifact, Path pom, Path jar) {
        Path dir = REPO.resolve("dev/threadleak/" + artifact + "/" + VERSION);
        try {
            Files.createDirectories(dir);
            replace(pom, dir.resolve(artifact + "-" + VERSION + ".pom"));
            if (jar != null) replace(jar, dir.resolve(artifact + "-" + VERSION + ".jar"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void replace(Path from, Path to) throws IOException {
        Path part = Files.createTempFile(to.getParent(), to.getFileName().toString(), ".part");
        Files.copy(from, part, StandardCopyOption.REPLACE_EXISTING);
        Files.move(part, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path copy(Path from, Path to) {
        try {
            if (Files.exists(to)) {
                try (Stream<Path> old = Files.walk(to)) {
                    for (Path p : (Iterable<Path>) old.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
                }
            }
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : (Iterable<Path>) files::iterator) Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code offline=true} or {@code offline=false}, as the pom writes Maven's setting. */
    private static boolean offline(String setting) {
        if (!setting.matches("offline=(true|false)")) throw new IllegalStateException("threadleak.offline is '" + setting + "', not offline=true or offline=false");
        return setting.endsWith("true");
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) throw new IllegalStateException("system property " + property + " is not set (run through Maven: failsafe sets it)");
        return value;
    }
}
