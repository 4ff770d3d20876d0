package dev.threadleak.corpus;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command run as a user would run it, output to files (a small copy of the agent's ITs' {@code ChildJvm}:
 * the corpus reads only what a user reads, the output of {@code check}).
 */
record Child(int exitCode, String stdout, String stderr) {
    /** The built agent jar (set by failsafe; another build's with -Dthreadleak.agentJar=...). */
    static final Path AGENT_JAR = Path.of(required("threadleak.agentJar"));
    private static final long DEADLINE_SECONDS = 90;

    /** The java binaries of the JDKs the corpus runs on (JDK 17 and 25): a missing one fails, never skips. */
    static List<Path> jdks() {
        List<Path> out = new ArrayList<>();
        for (String home : required("threadleak.jdks").split(File.pathSeparator)) {
            Path java = Path.of(home, "bin", "java");
            if (!Files.isExecutable(java)) fail("JDK for the corpus not found: " + java + " (set -Djdk25.home=...)");
            out.add(java);
        }
        return out;
    }

    /** Runs a command to its end; fails the test after the deadline. */
    static Child run(List<String> command) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("threadleak-corpus-");
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail("did not exit within " + DEADLINE_SECONDS + " s: " + command + "\n" + Files.readString(err));
            }
            return new Child(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.delete(dir);
        }
    }

    /** {@code java -jar threadleak-agent.jar <args>} on the test's own JDK. */
    static Child cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", AGENT_JAR.toString()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** The 1-based number of the first line of a corpus source file holding {@code marker}. */
    static int lineOf(String sourceFile, String marker) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(required("threadleak.corpusSource"), sourceFile));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) return i + 1;
        }
        throw new AssertionError(marker + " not found in " + sourceFile);
    }

    static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) throw new IllegalStateException("system property " + property + " is not set (run through mvn verify)");
        return v;
    }
}
