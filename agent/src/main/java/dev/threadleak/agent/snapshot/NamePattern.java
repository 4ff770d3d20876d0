package dev.threadleak.agent.snapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds thread names into patterns: names that differ only in their numbers become one pattern with
 * {@code *} where the numbers differ ({@code pool-1-thread-1}, {@code pool-2-thread-1} → {@code pool-*-thread-1}).
 */
public final class NamePattern {
    /** Marks a number's place while folding (a character thread names do not contain). */
    private static final char SLOT = '\u0000';

    private NamePattern() {}

    /** The name with each run of digits replaced by {@code #}: {@code pool-#-thread-#}. Runs per thread per sample: no regex. */
    public static String shape(String name) {
        return fold(name, '#');
    }

    /** The first number in the name (a pool's ordinal in {@code pool-812-thread-1}), or -1. */
    public static long firstNumber(String name) {
        long n = -1;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (isDigit(c)) {
                if (n > Long.MAX_VALUE / 10 - 9) return -1; // too long to be an ordinal
                n = (n < 0 ? 0 : n * 10) + (c - '0');
            } else if (n >= 0) {
                return n;
            }
        }
        return n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    public static List<String> of(List<String> names) {
        // names with the same text around their numbers share a shape; fold each shape separately
        Map<String, List<List<String>>> byShape = new LinkedHashMap<>();
        for (String name : names) byShape.computeIfAbsent(fold(name, SLOT), k -> new ArrayList<>()).add(numbers(name));
        List<String> patterns = new ArrayList<>();
        byShape.forEach((shape, numberLists) -> {
            List<String> first = numberLists.get(0);
            StringBuilder out = new StringBuilder();
            int slot = 0;
            for (char c : shape.toCharArray()) {
                if (c != SLOT) {
                    out.append(c);
                    continue;
                }
                int i = slot++;
                boolean same = true;
                for (List<String> n : numberLists) same &= n.get(i).equals(first.get(i));
                out.append(same ? first.get(i) : "*");
            }
            patterns.add(out.toString());
        });
        return patterns;
    }

    /** The name with each run of digits replaced by one {@code mark}. */
    private static String fold(String name, char mark) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (isDigit(c)) {
                if (out == null) out = new StringBuilder(name.length()).append(name, 0, i);
                if (i == 0 || !isDigit(name.charAt(i - 1))) out.append(mark);
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? name : out.toString();
    }

    /** The runs of digits in the name, in order. */
    private static List<String> numbers(String name) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= name.length(); i++) {
            boolean digit = i < name.length() && isDigit(name.charAt(i));
            if (digit && start < 0) start = i;
            if (!digit && start >= 0) {
                out.add(name.substring(start, i));
                start = -1;
            }
        }
        return out;
    }
}
