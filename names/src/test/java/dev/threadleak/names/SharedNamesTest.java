package dev.threadleak.names;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedNamesTest {
    /**
     * The agent and threadleak-junit depend on this module with scope provided: only values javac copies into them
     * may be here. A static final String with a constant initializer needs no static initializer; any other field
     * (or a method) would be looked up at run time, where users do not have this jar.
     */
    @Test
    void holdsCompileTimeConstantsOnly() throws IOException {
        assertThat(SharedNames.class.getDeclaredFields()).isNotEmpty().allSatisfy(f -> {
            assertThat(f.getModifiers()).as(f.getName()).isEqualTo(Modifier.PUBLIC | Modifier.STATIC | Modifier.FINAL);
            assertThat(f.getType()).as(f.getName()).isEqualTo(String.class);
        });
        assertThat(SharedNames.class.getDeclaredMethods()).isEmpty();
        assertThat(SharedNames.class.getDeclaredConstructors()).singleElement()
                .satisfies(c -> assertThat(Modifier.isPrivate(c.getModifiers())).isTrue());
        try (InputStream in = SharedNames.class.getResourceAsStream("SharedNames.class")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).as("a static initializer").doesNotContain("<clinit>");
        }
    }
}
