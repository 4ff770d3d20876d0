package dev.threadleak.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JMH CSV result ({@code -rf csv}) of {@link ThreadStartBench} or {@link VirtualThreadStartBench}
 * and prints, per parameter set, each configuration's score and its ratio to {@code none}, with the
 * verdict against the target overhead of threadleak.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.JmhSummary FILE.csv TARGET_PERCENT TITLE</pre>
 */
public final class JmhSummary {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        double target = Double.parseDouble(args[1]);
        System.out.println(args.length > 2 ? args[2] : args[0]);
        List<String> header = csv(lines.get(0));
        int paramCol = header.indexOf("Param: extraFrames");
        // params -> config -> {score, error}
        Map<String, Map<String, double[]>> byParams = new LinkedHashMap<>();
        String unit = "";
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = csv(line);
            String bench = f.get(0);
            String config = bench.substring(bench.lastIndexOf('.') + 1);
            String params = paramCol < 0 ? "" : "extraFrames=" + f.get(paramCol);
            unit = f.get(6);
            byParams.computeIfAbsent(params, k -> new LinkedHashMap<>())
                    .put(config, new double[] {Double.parseDouble(f.get(4)), parse(f.get(5))});
        }
        for (Map.Entry<String, Map<String, double[]>> e : byParams.entrySet()) {
            double[] none = e.getValue().get("none");
            System.out.printf("  %s%n", e.getKey());
            for (Map.Entry<String, double[]> c : e.getValue().entrySet()) {
                double[] s = c.getValue();
                System.out.printf("    %-11s %10.3f ± %7.3f %-6s  x%.3f (%+.1f%%)%n", c.getKey(), s[0], s[1], unit,
                        s[0] / none[0], (s[0] / none[0] - 1) * 100);
            }
            double[] tl = e.getValue().get("threadleak");
            double pct = (tl[0] / none[0] - 1) * 100;
            System.out.printf("    verdict: threadleak adds %+.1f%% (target <= %.0f%%): %s%n", pct, target,
                    pct <= target ? "MET" : "MISSED");
        }
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else cur.append(ch);
        }
        out.add(cur.toString());
        return out;
    }
}
