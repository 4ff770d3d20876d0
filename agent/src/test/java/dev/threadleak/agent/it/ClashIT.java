package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Finished;
import dev.threadleak.agent.it.ChildJvm.Jdk;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The agent's private Jackson/ByteBuddy/ASM never meet the application's own copies. */
class ClashIT {
    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anAppWithItsOwnJacksonAndByteBuddyRunsUnharmed(Jdk jdk, @TempDir Path dir) throws Exception {
        Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir)), "-cp", ChildJvm.SAMPLES_CP, "dev.threadleak.samples.ClashApp");
        assertThat(run.stderr()).isEmpty();
        assertThat(run.stdout()).isEqualTo("clash ok: jackson 2.15.4, bytebuddy 1.14.18, generated dev.threadleak.samples.Generated\n");
        assertThat(run.exitCode()).isZero();
        // its one thread has ended by exit: within the agent's quiet first second that leaves nothing to report (no
        // exit dump); a slower run (ByteBuddy on JDK 25 may take longer) leaves one, which knows the thread's site
        List<Path> dumps = ChildJvm.dumps(dir);
        assertThat(dumps).hasSizeLessThanOrEqualTo(1);
        if (!dumps.isEmpty()) {
            assertThat(ChildJvm.newestDump(dir).sites()).filteredOn(s -> s.blame() >= 0
                    && s.blameFrame().className().equals("dev.threadleak.samples.ClashApp") && s.blameFrame().method().equals("main"))
                    .singleElement().extracting(s -> s.started()).isEqualTo(1L);
        }
    }

    @Test
    void theJarHoldsOnlyItsOwnAndRelocatedClassesAndAnAgentManifest() throws Exception {
        try (JarFile jar = new JarFile(ChildJvm.AGENT_JAR.toFile())) {
            List<String> names = Collections.list(jar.entries()).stream().map(JarEntry::getName).toList();
            List<String> classes = names.stream().filter(n -> n.endsWith(".class")).toList();
            assertThat(classes).isNotEmpty().allMatch(n -> n.startsWith("dev/threadleak/"), "under dev/threadleak/");
            assertThat(names).noneMatch(n -> n.endsWith("module-info.class"));
            assertThat(classes).filteredOn(n -> !n.startsWith("dev/threadleak/agent/"))
                    .allMatch(n -> n.startsWith("dev/threadleak/shaded/"), "relocated under dev/threadleak/shaded/");
            for (String dep : List.of("dev/threadleak/shaded/asm/ClassReader.class", "dev/threadleak/shaded/jackson/core/JsonFactory.class",
                    "dev/threadleak/shaded/bytebuddy/agent/ByteBuddyAgent.class", "dev/threadleak/shaded/picocli/CommandLine.class")) {
                assertThat(names).contains(dep);
            }
            // dumps are read with jackson-core alone: databind was two thirds of the entries every JVM indexes at start-up
            assertThat(names).noneMatch(n -> n.startsWith("dev/threadleak/shaded/jackson/databind/") || n.startsWith("dev/threadleak/shaded/jackson/annotation/"));
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.threadleak.agent.Agent");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.threadleak.agent.Agent");
            assertThat(main.getValue("Main-Class")).isEqualTo("dev.threadleak.agent.cli.Main");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
        }
    }
}
