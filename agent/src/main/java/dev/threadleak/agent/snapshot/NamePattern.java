package dev.threadleak.agent.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Folds thread names into patterns: names that differ only in their numbers become one pattern with
 * {@code *} where the numbers differ ({@code pool-1-thread-1}, {@code pool-2-thread-1} → {@code pool-*-thread-1}).
 */
public final class NamePattern {
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private NamePattern() {}

    /** The name with each run of digits replaced by {@code #}: {@code pool-#-thread-#}. */
    public static String shape(String name) {
        return NUMBER.matcher(name).replaceAll("#");
    }

    /** The first number in the name (a pool's ordinal in {@code pool-812-thread-1}), or -1. */
    public static long firstNumber(String name) {
        Matcher m = NUMBER.matcher(name);
        if (!m.find()) return -1;
        try {
            return Long.parseLong(m.group());
        } catch (NumberFormatException tooLong) {
            return -1;
        }
    }

    public static List<String> of(List<String> names) {
        // names with the same text around their numbers share a shape; fold each shape separately
        Map<String, List<String[]>> byShape = new LinkedHashMap<>();
        for (String name : names) {
            List<String> numbers = new ArrayList<>();
            Matcher m = NUMBER.matcher(name);
            while (m.find()) numbers.add(m.group());
            byShape.computeIfAbsent(NUMBER.matcher(name).replaceAll("\u0000"), k -> new ArrayList<>())
                    .add(numbers.toArray(new String[0]));
        }
        List<String> patterns = new ArrayList<>();
        byShape.forEach((shape, numberLists) -> {
            String[] first = numberLists.get(0);
            StringBuilder out = new StringBuilder();
            int slot = 0;
            for (char c : shape.toCharArray()) {
                if (c != '\u0000') {
                    out.append(c);
                    continue;
                }
                int i = slot++;
                boolean same = numberLists.stream().allMatch(n -> n[i].equals(first[i]));
                out.append(same ? first[i] : "*");
            }
            patterns.add(out.toString());
        });
        return patterns;
    }
}
