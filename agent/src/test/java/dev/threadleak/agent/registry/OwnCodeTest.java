package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnCodeTest {
    @TempDir
    Path dir;

    @Test
    void theMainClassesJarAndClassPathDirectoriesAreOwnCodeDependencyJarsAreNot() throws Exception {
        Path app = jar("app.jar", "com/acme/Main.class", "com/acme/Client.class");
        Path lib = jar("lib.jar", "org/lib/Pool.class");
        Path classes = Files.createDirectories(dir.resolve("classes/com/acme/extra"));
        Files.write(classes.resolve("Tool.class"), new byte[] {0});
        try (URLClassLoader loader = loader(dir.resolve("classes"), app, lib)) {
            OwnCode own = new OwnCode(loader, "com.acme.Main --port 8080");
            assertThat(own.test("com.acme.Client")).as("in the main class's jar").isTrue();
            assertThat(own.test("com.acme.extra.Tool")).as("in a class-path directory").isTrue();
            assertThat(own.test("org.lib.Pool")).as("in a dependency's jar").isFalse();
            assertThat(own.test("com.acme.Missing")).isFalse();
        }
    }

    @Test
    void javaDashJarNamesTheApplicationsJar() throws Exception {
        Path app = jar("app.jar", "com/acme/Client.class");
        Path lib = jar("lib.jar", "org/lib/Pool.class");
        try (URLClassLoader loader = loader(app, lib)) {
            assertThat(new OwnCode(loader, app + " --port 8080").test("com.acme.Client")).isTrue();
            assertThat(new OwnCode(loader, app + " --port 8080").test("org.lib.Pool")).isFalse();
            assertThat(new OwnCode(loader, null).test("com.acme.Client")).as("no command: only directories are known").isFalse();
        }
    }

    private Path jar(String name, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String e : entries) {
                out.putNextEntry(new JarEntry(e));
                out.write(0);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static URLClassLoader loader(Path... entries) throws IOException {
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) urls[i] = entries[i].toUri().toURL();
        return new URLClassLoader(urls, null);
    }
}
