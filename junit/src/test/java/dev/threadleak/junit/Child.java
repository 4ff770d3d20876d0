package dev.threadleak.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A child JVM (or Maven build) run to the end, the way a user runs tests: real {@code java}, the real agent jar.
 * Its output is kept whole; {@link #results()} reads what {@code fixtures.RunFixtures} printed.
 */
record Child(int exit, String stdout, String stderr) {
    static final Path AGENT_JAR = Path.of(required("threadleak.agentJar"));
    static final Path PROJECT_ROOT = Path.of(required("threadleak.projectRoot")).normalize();
    /**
     * These tests' class path without this module's main classes, which the child loads from the built jar, and
     * without threadleak-names, which users do not have (its constants are compiled into the jar).
     */
    static final String TEST_CP = testClassPath();

    private static List<Jdk> jdks;

    /** The JDKs the tests run on: JDK 17 and JDK 25. A missing JDK fails, never skips. */
    static synchronized List<Jdk> jdks() {
        if (jdks != null) return jdks;
        List<Jdk> out = new ArrayList<>();
        for (String home : required("threadleak.jdks").split(File.pathSeparator)) {
            Path java = Path.of(home, "bin", "java");
            if (!Files.isExecutable(java)) fail("JDK for these tests not found: " + java + " (set -Djdk25.home=...)");
            out.add(new Jdk(Path.of(home), feature(java)));
        }
        jdks = List.copyOf(out);
        return jdks;
    }

    record Jdk(Path home, int feature) {
        Path java() {
            return home.resolve("bin").resolve("java");
        }

        @Override
        public String toString() {
            return "JDK " + feature;
        }
    }

    /**
     * Runs {@code fixtures.RunFixtures} with these JVM options and arguments (configuration parameters, class names).
     * The child's java.io.tmpdir is a directory of its own, deleted after it: the agent's dumps go there (its default
     * directory, the self-attached agent's too).
     */
    static Child fixtures(Jdk jdk, boolean agent, List<String> jvmOptions, String... args) {
        Path tmp = createTempDirectory("threadleak-fixtures-");
        try {
            List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-Djava.io.tmpdir=" + tmp));
            if (agent) command.add("-javaagent:" + AGENT_JAR);
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", TEST_CP, "dev.threadleak.junit.fixtures.RunFixtures"));
            command.addAll(List.of(args));
            return run(command, null, Map.of());
        } finally {
            deleteTree(tmp);
        }
    }

    static Child run(List<String> command, Path dir, Map<String, String> environment) {
        Path capture = createTempDirectory("threadleak-child-");
        try {
            Path out = capture.resolve("out"), err = capture.resolve("err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (dir != null) builder.directory(dir.toFile());
            builder.environment().putAll(environment);
            Process p = builder.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("child did not end within 180 s: " + command + "\n" + Files.readString(out) + Files.readString(err));
            }
            return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            deleteTree(capture);
        }
    }

    private static Path createTempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything in it. */
    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What each test and class ended with: status line, then the failure text ("" when it passed). */
    Map<String, Result> results() {
        assertThat(exit).as("child exit; stderr:\n%s", stderr).isZero();
        Map<String, Result> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?s)=== (\\S+) (\\S+)\n(.*?)=== end\n").matcher(stdout);
        while (m.find()) out.put(m.group(1), new Result(m.group(2), m.group(3)));
        return out;
    }

    Result result(String name) {
        Result r = results().get(name);
        assertThat(r).as("result of %s in:\n%s\nstderr:\n%s", name, stdout, stderr).isNotNull();
        return r;
    }

    record Result(String status, String text) {
        @Override
        public String toString() {
            return status + "\n" + text;
        }
    }

    /** The line of a fixture's source marked {@code // line:<marker>}. */
    static int line(String fixture, String marker) {
        Path source = PROJECT_ROOT.resolve("junit/src/test/java/dev/threadleak/junit/fixtures/" + fixture + ".java");
        try {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).endsWith("// line:" + marker)) return i + 1;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no '// line:" + marker + "' in " + source);
    }

    /** {@code Class.method(File.java:LINE)} of a fixture's marked line. */
    static String site(String fixture, String method, String marker) {
        return "dev.threadleak.junit.fixtures." + fixture + "." + method + "(" + fixture + ".java:" + line(fixture, marker) + ")";
    }

    private static String testClassPath() {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            boolean names = p.endsWith(Path.of("names", "target", "classes")) || p.getFileName().toString().startsWith("threadleak-names");
            if (!names && !p.endsWith(Path.of("junit", "target", "classes"))) out.add(entry);
        }
        out.add(required("threadleak.junitJar"));
        return String.join(File.pathSeparator, out);
    }

    private static int feature(Path java) {
        Child version = run(List.of(java.toString(), "-XshowSettings:properties", "-version"), null, Map.of());
        Matcher m = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(version.stderr);
        if (!m.find()) throw new AssertionError("cannot tell the version of " + java + ":\n" + version.stderr);
        return Integer.parseInt(m.group(1));
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) throw new IllegalStateException("system property " + property + " is not set (run through Maven: failsafe sets it)");
        return value;
    }
}
