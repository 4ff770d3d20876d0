package dev.threadleak.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

    @Test
    void namesOfOneShapeAreToldWithoutBuildingIt() {
        assertThat(NamePattern.sameShape("pool-1-thread-7", "pool-12-thread-1")).isTrue();
        assertThat(NamePattern.sameShape("pool-1-thread-7", "pool-1-thread")).isFalse();
        assertThat(NamePattern.sameShape("a#b", "a1b")).as("a # in a name is text, not a number").isFalse();
        assertThat(NamePattern.sameShape("007", "7")).isTrue();
        assertThat(NamePattern.sameShape("", "")).isTrue();
        assertThat(NamePattern.sameShape("x", "")).isFalse();
    }

    /** Against the plain way (split every name into its texts and numbers), on names mixed as threads' are. */
    @Test
    void foldsAsSplittingEveryNameWould() {
        Random random = new Random(42);
        String[] texts = {"pool-", "-thread-", "worker", "#", "\u0000", "", "a", "grpc-default-executor-"};
        for (int round = 0; round < 2_000; round++) {
            List<String> names = new ArrayList<>();
            int count = 1 + random.nextInt(30);
            for (int i = 0; i < count; i++) {
                StringBuilder name = new StringBuilder();
                int parts = random.nextInt(4);
                for (int p = 0; p < parts; p++) {
                    name.append(texts[random.nextInt(texts.length)]);
                    if (random.nextBoolean()) name.append(random.nextInt(4) == 0 ? "00" + random.nextInt(3) : String.valueOf(random.nextInt(3)));
                }
                names.add(name.toString());
            }
            assertThat(NamePattern.of(names)).as("%s", names).isEqualTo(bySplitting(names));
        }
    }

    private static List<String> bySplitting(List<String> names) {
        Map<List<String>, List<List<String>>> byShape = new LinkedHashMap<>();
        for (String name : names) {
            List<String> texts = new ArrayList<>(), numbers = new ArrayList<>();
            int textStart = 0;
            for (int i = 0; i < name.length(); ) {
                if (!Character.isDigit(name.charAt(i))) {
                    i++;
                    continue;
                }
                int end = i;
                while (end < name.length() && Character.isDigit(name.charAt(end))) end++;
                texts.add(name.substring(textStart, i));
                numbers.add(name.substring(i, end));
                textStart = i = end;
            }
            texts.add(name.substring(textStart));
            byShape.computeIfAbsent(texts, k -> new ArrayList<>()).add(numbers);
        }
        List<String> patterns = new ArrayList<>();
        byShape.forEach((texts, numberLists) -> {
            StringBuilder out = new StringBuilder(texts.get(0));
            for (int i = 0; i < numberLists.get(0).size(); i++) {
                boolean same = true;
                for (List<String> n : numberLists) same &= n.get(i).equals(numberLists.get(0).get(i));
                out.append(same ? numberLists.get(0).get(i) : "*").append(texts.get(i + 1));
            }
            patterns.add(out.toString());
        });
        return patterns;
    }
}
