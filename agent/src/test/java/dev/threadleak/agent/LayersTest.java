package dev.threadleak.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The agent's packages are layers: each may import only the packages of the layers below its own (each
 * package-info says which). Read from the main sources' imports.
 */
class LayersTest {
    private static final Path MAIN = Path.of("src/main/java/dev/threadleak/agent");
    /** Bottom to top; "" is the root package (Agent). */
    private static final List<List<String>> LAYERS = List.of(List.of("snapshot"), List.of("config"), List.of("hook"), List.of("registry"),
            List.of("sample"), List.of("findings"), List.of("expose", "foreign", "prove"), List.of("cli", "install"), List.of("boot"), List.of(""));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.threadleak\\.agent\\.(?:([a-z]\\w*)\\.)?[A-Z][\\w.]*;", Pattern.MULTILINE);

    @Test
    void noPackageImportsOneOfItsLayerOrAbove() throws IOException {
        List<String> upward = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String from = packageOf(MAIN.relativize(file.getParent()));
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    String to = m.group(1) == null ? "" : m.group(1);
                    if (!to.equals(from) && layer(to) >= layer(from)) upward.add(MAIN.relativize(file) + ": " + m.group());
                }
            }
        }
        assertThat(upward).as("imports of a package not below the importer's layer").isEmpty();
    }

    @Test
    void everyPackageHasALayerAndSaysWhatItMayImport() throws IOException {
        try (Stream<Path> dirs = Files.walk(MAIN)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String pkg = packageOf(MAIN.relativize(dir));
                assertThat(layer(pkg)).as("layer of package '%s'", pkg).isNotNegative();
                assertThat(dir.resolve("package-info.java")).as("package-info of package '%s'", pkg).exists();
            }
        }
    }

    private static String packageOf(Path relative) {
        return relative.toString().replace('/', '.');
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) return i;
        }
        return -1;
    }
}
