package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMapTest {

    @Test
    void keepsInsertionOrderAndAReplacedValueKeepsItsPlace() {
        LongMap<String> map = new LongMap<>();
        map.put(3, "c");
        map.put(1, "a");
        map.put(2, "b");
        assertThat(map.put(3, "C")).isEqualTo("c");
        assertThat(map.values()).containsExactly("C", "a", "b");
        assertThat(map.get(1)).isEqualTo("a");
        assertThat(map.get(4)).isNull();
    }

    @Test
    void anEntryRemovedDuringAWalkLeavesTheOthersWhereTheyAre() {
        LongMap<String> map = new LongMap<>();
        for (long k = 1; k <= 5; k++) map.put(k, "v" + k);
        for (int i = 0; i < map.end(); i++) {
            if (i % 2 == 0) map.removeAt(i);
        }
        assertThat(map.values()).containsExactly("v2", "v4");
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.get(1)).isNull();
        assertThat(map.get(4)).isEqualTo("v4");
        map.put(1, "again");
        assertThat(map.values()).containsExactly("v2", "v4", "again");
    }

    /** Crowds of threads starting and ending, checked against a LinkedHashMap as they go. */
    @Test
    void agreesWithALinkedHashMapThroughChurnGrowthAndShrinking() {
        LongMap<String> map = new LongMap<>();
        Map<Long, String> model = new LinkedHashMap<>();
        Random random = new Random(42);
        long nextId = 1;
        int largest = 0;
        for (int step = 0; step < 300_000; step++) {
            boolean crowding = (step / 30_000) % 2 == 0;
            boolean start = random.nextInt(10) < (crowding ? 7 : 2);
            if (start || model.isEmpty()) {
                // now and then a value replaced under a key already present
                long key = random.nextInt(20) == 0 && !model.isEmpty() ? keyOf(map.values().get(random.nextInt(model.size()))) : nextId++;
                String value = key + ":" + step;
                assertThat(map.put(key, value)).isEqualTo(model.put(key, value));
            } else {
                int position = random.nextInt(map.end());
                String value = map.valueAt(position);
                map.removeAt(position);
                if (value != null) assertThat(model.remove(keyOf(value))).isEqualTo(value);
            }
            assertThat(map.size()).isEqualTo(model.size());
            largest = Math.max(largest, model.size());
            if (step % 4_999 == 0) {
                assertThat(map.values()).isEqualTo(new ArrayList<>(model.values()));
                for (Map.Entry<Long, String> e : model.entrySet()) assertThat(map.get(e.getKey())).isEqualTo(e.getValue());
                assertThat(map.get(nextId)).isNull();
            }
        }
        assertThat(largest).as("crowds large enough to grow and shrink the arrays many times").isGreaterThan(5_000);
    }

    private static long keyOf(String value) {
        return Long.parseLong(value.substring(0, value.indexOf(':')));
    }

    @Test
    void aValueIsNeverNull() {
        LongMap<String> map = new LongMap<>();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> map.put(1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(map.values()).isEqualTo(List.of());
    }
}
