package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void bidiOverridesZeroWidthAndLineSeparatorsAreEscapedLikeControlCharacters() {
        assertThat(Printable.of("evil\u202Etxt.exe")).isEqualTo("evil\\u202etxt.exe");
        assertThat(Printable.of("a\u2028b\u2029c\u200Bd\u2066e")).isEqualTo("a\\u2028b\\u2029c\\u200bd\\u2066e");
        // what shows stays as it is: accents, CJK, an emoji (a surrogate pair), a tab
        assertThat(Printable.of("caf\u00e9 \u7ebf\u7a0b \uD83D\uDE00\tx")).isEqualTo("caf\u00e9 \u7ebf\u7a0b \uD83D\uDE00\tx");
    }
}
