package dev.threadleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** README's pom snippet is the user project's (UserProjectIT builds that one): each marked part, line by line. */
class ReadmeSnippetTest {
    @Test
    void readmeShowsTheUserProjectsLines() throws IOException {
        String pom = Files.readString(Path.of("src/test/resources/user-project/pom.xml"));
        String readme = stripped(Files.readString(Path.of("../README.md")));
        List<String> parts = new ArrayList<>();
        Matcher m = Pattern.compile("(?s)<!-- README: from here -->\n(.*?)\\s*<!-- README: to here -->").matcher(pom);
        while (m.find()) parts.add(stripped(m.group(1)));
        assertThat(parts).hasSize(2);
        for (String part : parts) assertThat(readme).contains(part);
    }

    /** The lines without their indentation: README's snippet is indented less. */
    private static String stripped(String text) {
        return text.lines().map(String::strip).collect(Collectors.joining("\n"));
    }
}
