package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Snapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hooked JDK classes kept in the agent's directory: written by the first JVM, used by the next one unchanged, and
 * never trusted when damaged or writable by others (then hooked again with ASM, and the file replaced).
 */
class HookCacheIT {
    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theFirstJvmKeepsTheHookedClassesTheNextUsesThemAndADamagedFileIsReplaced(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("d");

        runAndCheckTheSite(jdk, dir);
        Path file = onlyHookFile(dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        byte[] written = Files.readAllBytes(file);
        FileTime modified = Files.getLastModifiedTime(file);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        Finished second = runAndCheckTheSite(jdk, dir, "-Xlog:class+load=info");
        assertThat(onlyHookFile(dir)).isEqualTo(file);
        assertThat(Files.getLastModifiedTime(file)).as("used, not written again").isEqualTo(modified);
        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
        assertThat(second.stdout()).as("the hook class defined, from the file").contains(" java.lang.ThreadLeakHook ")
                .as("an executor class not loaded yet: defined from its hooked class file, not loaded and redefined")
                .contains("java.util.concurrent.ThreadPoolExecutor source: __JVM_LookupDefineClass__")
                .as("no ASM, and the hook class not read from the agent jar").doesNotContain("dev.threadleak.shaded.asm.", "HookWeaver",
                        " dev.threadleak.agent.hook.ThreadLeakHook ");

        byte[] damaged = written.clone();
        damaged[damaged.length / 2] ^= 0x55; // inside some hooked class file: the CRC no longer matches
        Files.write(file, damaged);
        runAndCheckTheSite(jdk, dir);
        assertThat(Files.readAllBytes(onlyHookFile(dir))).as("hooked again and rewritten, as the first JVM wrote it").isEqualTo(written);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        FileTime before = Files.getLastModifiedTime(file);
        runAndCheckTheSite(jdk, dir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyHookFile(dir))))
                .as("a file others may write is not used: replaced by a private one").isEqualTo("rw-------");
        assertThat(Files.readAllBytes(onlyHookFile(dir))).isEqualTo(written);
        assertThat(Files.getLastModifiedTime(onlyHookFile(dir))).isNotEqualTo(before);
    }

    /**
     * A hooked-classes file that does not read is replaced without a word, unless {@code log=debug} asks: then one line
     * says what failed and what the agent did instead. A JVM whose every fast path works says nothing under it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void underLogDebugAHookedClassesFileThatDoesNotReadIsOneLine(Jdk jdk, @TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("d");
        String options = "dir=" + dir + ",interval=0,app=dev.threadleak.agent.it.apps,log=debug";
        runWithAgentAndCheckTheSite(jdk, dir, ChildJvm.agent(options), ChildJvm.TEST_CP); // writes the file, says nothing
        Path file = onlyHookFile(dir);
        byte[] written = Files.readAllBytes(file);
        runWithAgentAndCheckTheSite(jdk, dir, ChildJvm.agent(options), ChildJvm.TEST_CP); // uses it, says nothing

        Files.write(file, java.util.Arrays.copyOf(written, written.length / 2)); // cut short: it ends inside a class file
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent(options)), "-cp", ChildJvm.TEST_CP, "dev.threadleak.agent.it.apps.StartPaths", "plainThread");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(ChildJvm.lines(run.stderr())).singleElement().asString()
                .startsWith("[threadleak] debug: cannot read the hooked classes in " + file + " (java.io.")
                .endsWith("): hooked with ASM, and the file replaced");
        assertThat(Files.readAllBytes(file)).as("replaced").isEqualTo(written);
    }

    /** A hooked-classes file is for one agent jar: a rebuilt jar (another time stamp) hooks anew and keeps a file of its own. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anotherAgentJarDoesNotUseTheFileOfThisOne(Jdk jdk, @TempDir Path base) throws Exception {
        Path dir = base.resolve("d"), jar = Files.copy(ChildJvm.AGENT_JAR, base.resolve("threadleak-agent.jar"));
        String agent = "-javaagent:" + jar + "=dir=" + dir + ",interval=0,app=dev.threadleak.agent.it.apps";
        // the test class path holds the built agent jar too (failsafe's): left out, so the agent runs from the copy
        String cp = java.util.Arrays.stream(ChildJvm.TEST_CP.split(java.io.File.pathSeparator))
                .filter(e -> !Path.of(e).getFileName().toString().contains("threadleak-agent"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        runWithAgentAndCheckTheSite(jdk, dir, agent, cp);
        Path first = onlyHookFile(dir);
        byte[] written = Files.readAllBytes(first);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        runWithAgentAndCheckTheSite(jdk, dir, agent, cp);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> hooks = files.filter(p -> p.getFileName().toString().startsWith("threadleak-hooks-")).toList();
            assertThat(hooks).as("one file per agent jar").hasSize(2).contains(first);
            Path second = hooks.get(0).equals(first) ? hooks.get(1) : hooks.get(0);
            assertThat(Files.readAllBytes(first)).as("the first jar's file, untouched").isEqualTo(written);
            assertThat(Files.readAllBytes(second)).as("the same hooked classes, under the other jar's key").isNotEqualTo(written);
        }
    }

    /** Runs StartPaths' plain thread under the agent: its exit dump blames the line that started it (the hooks work). */
    private static Finished runAndCheckTheSite(Jdk jdk, Path dir, String... moreJvmArgs) throws Exception {
        return runWithAgentAndCheckTheSite(jdk, dir, ChildJvm.agent("dir=" + dir + ",interval=0,app=dev.threadleak.agent.it.apps"), ChildJvm.TEST_CP,
                moreJvmArgs);
    }

    private static Finished runWithAgentAndCheckTheSite(Jdk jdk, Path dir, String agent, String classPath, String... moreJvmArgs) throws Exception {
        List<String> jvmArgs = new java.util.ArrayList<>(List.of(moreJvmArgs));
        jvmArgs.add(agent);
        Finished run = ChildJvm.run(jdk, jvmArgs, "-cp", classPath, "dev.threadleak.agent.it.apps.StartPaths", "plainThread");
        assertThat(run.exitCode()).as("stderr: %s", run.stderr()).isZero();
        assertThat(run.stderr()).isEmpty();
        Snapshot dump = ChildJvm.newestDump(dir);
        assertThat(dump.threads()).filteredOn(t -> t.name().equals("path-plain")).singleElement()
                .satisfies(t -> assertThat(dump.site(t.site()).blameFrame().toString())
                        .startsWith("dev.threadleak.agent.it.apps.StartPaths.plainThread(StartPaths.java:"));
        try (Stream<Path> files = Files.list(dir)) { // the next run's dump is then the newest
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) Files.delete(p);
        }
        return run;
    }

    private static Path onlyHookFile(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> hooks = files.filter(p -> p.getFileName().toString().startsWith("threadleak-hooks-")).toList();
            assertThat(hooks).as("hooked-class files in %s", dir).hasSize(1);
            assertThat(hooks.get(0).getFileName().toString()).matches("threadleak-hooks-[0-9a-f]+\\.bin");
            return hooks.get(0);
        }
    }
}
