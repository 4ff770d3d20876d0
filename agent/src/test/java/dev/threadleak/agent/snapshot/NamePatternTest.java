package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamePatternTest {
    @Test
    void numbersThatDifferBecomeAStar() {
        assertThat(NamePattern.of(List.of("pool-1-thread-1", "pool-2-thread-1"))).containsExactly("pool-*-thread-1");
        assertThat(NamePattern.of(List.of("pool-1-thread-1", "pool-1-thread-2"))).containsExactly("pool-1-thread-*");
        assertThat(NamePattern.of(List.of("pool-1-thread-1", "pool-2-thread-2"))).containsExactly("pool-*-thread-*");
    }

    @Test
    void eachShapeFoldsSeparatelyInFirstSeenOrder() {
        assertThat(NamePattern.of(List.of("worker-1", "ticker", "worker-2", "short-lived-15", "ticker", "short-lived-30")))
                .containsExactly("worker-*", "ticker", "short-lived-*");
        assertThat(NamePattern.of(List.of("a-1", "a-1-2"))).containsExactly("a-1", "a-1-2");
    }

    @Test
    void aSingleNameIsItsOwnPattern() {
        assertThat(NamePattern.of(List.of("consumer-7"))).containsExactly("consumer-7");
        assertThat(NamePattern.of(List.of("main"))).containsExactly("main");
        assertThat(NamePattern.of(List.of())).isEmpty();
    }

    @Test
    void anyCharacterMayAppearInANameIncludingNul() {
        assertThat(NamePattern.of(List.of("a\u00001", "a\u00002", "\u0000", "#1", "#2")))
                .containsExactly("a\u0000*", "\u0000", "#*");
    }
}
