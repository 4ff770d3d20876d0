package dev.threadleak.bench;

import java.util.Arrays;

/** Median, mean, min, max and standard deviation of a sample; enough for timing tables. */
record Stats(double median, double mean, double min, double max, double stdev, int n) {
    /** The values as an array (unboxed). */
    static double[] unboxed(java.util.List<Double> values) {
        double[] xs = new double[values.size()];
        for (int i = 0; i < xs.length; i++) xs[i] = values.get(i);
        return xs;
    }

    static Stats of(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        double mean = Arrays.stream(s).average().orElse(Double.NaN);
        double var = Arrays.stream(s).map(x -> (x - mean) * (x - mean)).sum() / Math.max(1, n - 1);
        return new Stats(median, mean, s[0], s[n - 1], Math.sqrt(var), n);
    }
}
