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

    /**
     * One pattern per shape of the given names, in order of first appearance. Any character may appear in a name. Runs on
     * every sample over every pool's workers: nothing is allocated per name but for a name of a shape not met just before.
     */
    public static List<String> of(List<String> names) {
        Map<Shape, Shape> shapes = new LinkedHashMap<>(); // each shape by its first name
        Shape last = null;
        for (String name : names) {
            // names of one shape mostly come together (a pool's workers, in start order): no lookup for those
            Shape shape = last != null && sameShape(last.name, name) ? last : shapes.get(new Shape(name));
            if (shape == null) {
                shape = new Shape(name);
                shapes.put(shape, shape);
            } else {
                shape.markDiffering(name);
            }
            last = shape;
        }
        List<String> patterns = new ArrayList<>(shapes.size());
        for (Shape shape : shapes.keySet()) patterns.add(shape.pattern());
        return patterns;
    }

    /**
     * Whether two names have the same text around their runs of digits ({@code pool-1-thread-7}, {@code pool-12-thread-1}),
     * told without building either's shape.
     */
    public static boolean sameShape(String a, String b) {
        int i = 0, j = 0, n = a.length(), m = b.length();
        while (i < n && j < m) {
            char c = a.charAt(i), d = b.charAt(j);
            boolean digitC = isDigit(c);
            if (digitC != isDigit(d)) return false;
            if (digitC) {
                i = runEnd(a, i);
                j = runEnd(b, j);
            } else {
                if (c != d) return false;
                i++;
                j++;
            }
        }
        return i == n && j == m;
    }

    /** A shape, by its first name: equal to any name's of the same shape; and which of its numbers vary among its names. */
    private static final class Shape {
        final String name;
        private final int hash;
        private final boolean[] varying;

        Shape(String name) {
            this.name = name;
            int h = 0, numbers = 0;
            for (int i = 0; i < name.length(); ) {
                char c = name.charAt(i);
                if (isDigit(c)) {
                    h = 31 * h + '#';
                    i = runEnd(name, i);
                    numbers++;
                } else {
                    h = 31 * h + c;
                    i++;
                }
            }
            hash = h;
            varying = new boolean[numbers];
        }

        /** Marks the numbers of {@code other}, a name of this shape, that differ from this shape's first name's. */
        void markDiffering(String other) {
            int i = 0, j = 0, number = 0;
            while (i < name.length()) {
                if (!isDigit(name.charAt(i))) { // the texts around the numbers are the same: they move together
                    i++;
                    j++;
                    continue;
                }
                int end = runEnd(name, i), otherEnd = runEnd(other, j);
                if (!varying[number] && (end - i != otherEnd - j || !name.regionMatches(i, other, j, end - i))) varying[number] = true;
                number++;
                i = end;
                j = otherEnd;
            }
        }

        /** The first name with each number that varies replaced by {@code *}. */
        String pattern() {
            StringBuilder out = new StringBuilder(name.length());
            int number = 0;
            for (int i = 0; i < name.length(); ) {
                if (!isDigit(name.charAt(i))) {
                    out.append(name.charAt(i++));
                    continue;
                }
                int end = runEnd(name, i);
                if (varying[number++]) out.append('*');
                else out.append(name, i, end);
                i = end;
            }
            return out.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape other && other.hash == hash && sameShape(other.name, name);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The index just past the run of digits that begins at {@code from}. */
    private static int runEnd(String name, int from) {
        int end = from;
        while (end < name.length() && isDigit(name.charAt(end))) end++;
        return end;
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
