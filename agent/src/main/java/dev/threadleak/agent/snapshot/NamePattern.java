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

    /** One pattern per shape of the given names, in order of first appearance. Any character may appear in a name. */
    public static List<String> of(List<String> names) {
        // names with the same text around their numbers share a shape; fold each shape separately
        Map<List<String>, List<List<String>>> byShape = new LinkedHashMap<>();
        for (String name : names) {
            List<String> texts = new ArrayList<>(), numbers = new ArrayList<>();
            split(name, texts, numbers);
            byShape.computeIfAbsent(texts, k -> new ArrayList<>()).add(numbers);
        }
        List<String> patterns = new ArrayList<>();
        byShape.forEach((texts, numberLists) -> {
            List<String> first = numberLists.get(0);
            StringBuilder out = new StringBuilder(texts.get(0));
            for (int i = 0; i < first.size(); i++) {
                boolean same = true;
                for (List<String> n : numberLists) same &= n.get(i).equals(first.get(i));
                out.append(same ? first.get(i) : "*").append(texts.get(i + 1));
            }
            patterns.add(out.toString());
        });
        return patterns;
    }

    /** Splits a name into the texts around its runs of digits (one more text than numbers) and the numbers. */
    private static void split(String name, List<String> texts, List<String> numbers) {
        int textStart = 0;
        for (int i = 0; i < name.length(); ) {
            if (!isDigit(name.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < name.length() && isDigit(name.charAt(end))) end++;
            texts.add(name.substring(textStart, i));
            numbers.add(name.substring(i, end));
            textStart = i = end;
        }
        texts.add(name.substring(textStart));
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
}
