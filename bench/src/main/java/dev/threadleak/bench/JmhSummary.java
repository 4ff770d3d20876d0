package dev.threadleak.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a JMH JSON result ({@code -rf json}) of {@link ThreadStartBench} or {@link VirtualThreadStartBench}
 * and prints, per parameter set, each configuration's score (JMH's mean ± 99.9% error) and the MEDIAN of
 * its measurement iterations over all forks, with ratios to {@code none}. The verdict uses the median
 * ratio: on this kind of machine (a small VM) thread creation has bursts several times slower than usual
 * that land in whichever fork is running, and the mean follows them; both ratios are shown.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.JmhSummary FILE.json TARGET_PERCENT TITLE [VIRTUAL_TARGET_PERCENT]</pre>
 * The optional last argument is the target for parameter sets with {@code kind=virtual} ({@link StartBatchBench}).
 */
public final class JmhSummary {
    public static void main(String[] args) throws Exception {
        Object root = new Json(Files.readString(Path.of(args[0]))).value();
        double platformTarget = Double.parseDouble(args[1]);
        System.out.println(args.length > 2 ? args[2] : args[0]);
        Map<String, Map<String, double[]>> byParams = new LinkedHashMap<>(); // params -> config -> mean, err, median
        Map<String, Map<String, double[]>> cpuByParams = new LinkedHashMap<>(); // params -> config -> starter, process (median, mean)
        String unit = "";
        for (Object o : (List<?>) root) {
            Map<?, ?> run = (Map<?, ?>) o;
            String bench = (String) run.get("benchmark");
            String config = bench.substring(bench.lastIndexOf('.') + 1);
            Map<?, ?> params = (Map<?, ?>) run.get("params");
            // keyed by class AND params: a JMH regex can select several classes with the same methods
            // (an unanchored "ThreadStartBench" also matches VirtualThreadStartBench), which must not merge
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            String p = cls.substring(cls.lastIndexOf('.') + 1) + " " + (params == null ? "" : params.toString());
            Map<?, ?> metric = (Map<?, ?>) run.get("primaryMetric");
            unit = (String) metric.get("scoreUnit");
            List<Double> raw = new ArrayList<>();
            for (Object fork : (List<?>) metric.get("rawData")) for (Object x : (List<?>) fork) raw.add(((Number) x).doubleValue());
            double[] xs = Stats.unboxed(raw);
            byParams.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(config, new double[] {
                    num(metric.get("score")), num(metric.get("scoreError")), Stats.of(xs).median(), xs.length});
            Map<?, ?> secondary = (Map<?, ?>) run.get("secondaryMetrics");
            if (secondary != null && secondary.containsKey("starts")) {
                double[] starts = raw(secondary.get("starts"));
                double[] starter = perStart(raw(secondary.get("starterCpuNs")), starts);
                double[] process = perStart(raw(secondary.get("processCpuNs")), starts);
                cpuByParams.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(config, new double[] {
                        Stats.of(starter).median(), Stats.of(starter).mean(), Stats.of(process).median(), Stats.of(process).mean()});
            }
        }
        for (Map.Entry<String, Map<String, double[]>> e : byParams.entrySet()) {
            double[] none = e.getValue().get("none");
            System.out.printf("  %s%n    %-11s %22s %9s %12s %12s%n", e.getKey(), "config", "mean ± 99.9% [" + unit + "]",
                    "median", "mean ratio", "median ratio");
            for (Map.Entry<String, double[]> c : e.getValue().entrySet()) {
                double[] s = c.getValue();
                System.out.printf("    %-11s %11.3f ± %8.3f %9.3f %+11.1f%% %+11.1f%%%n", c.getKey(), s[0], s[1], s[2],
                        pct(s[0], none[0]), pct(s[2], none[2]));
            }
            double[] tl = e.getValue().get("threadleak");
            double target = args.length > 3 && e.getKey().contains("kind=virtual") ? Double.parseDouble(args[3]) : platformTarget;
            System.out.printf("    verdict: threadleak adds %+.1f%% by median (%+.1f%% by mean), target <= %.0f%%: %s%n",
                    pct(tl[2], none[2]), pct(tl[0], none[0]), target, pct(tl[2], none[2]) <= target ? "MET" : "MISSED");
            Map<String, double[]> cpu = cpuByParams.get(e.getKey());
            if (cpu == null) continue;
            double[] cn = cpu.get("none");
            System.out.printf("    CPU per start [ns], median of iterations (mean): starting thread | whole process%n");
            for (Map.Entry<String, double[]> c : cpu.entrySet()) {
                double[] s = c.getValue();
                System.out.printf("    %-11s %9.0f (%9.0f) %+7.1f%% | %9.0f (%9.0f) %+7.1f%%%n", c.getKey(), s[0], s[1],
                        pct(s[0], cn[0]), s[2], s[3], pct(s[2], cn[2]));
            }
        }
    }

    private static double[] raw(Object metric) {
        List<Double> raw = new ArrayList<>();
        for (Object fork : (List<?>) ((Map<?, ?>) metric).get("rawData")) for (Object x : (List<?>) fork) raw.add(((Number) x).doubleValue());
        return Stats.unboxed(raw);
    }

    private static double[] perStart(double[] sums, double[] starts) {
        double[] r = new double[sums.length];
        for (int i = 0; i < r.length; i++) r[i] = sums[i] / starts[i];
        return r;
    }

    private static double pct(double x, double base) {
        return (x / base - 1) * 100;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN; // JMH writes "NaN" as a string
    }

    /** Just enough JSON for JMH's result file: objects, arrays, strings, numbers, literals. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    i++; // ':'
                    m.put(k, value());
                    ws();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    ws();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') return string();
            int start = i;
            while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
            String lit = s.substring(start, i);
            if (Arrays.asList("true", "false", "null").contains(lit)) return lit.equals("null") ? null : Boolean.valueOf(lit);
            return Double.parseDouble(lit);
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (s.charAt(i) != '"') {
                char c = s.charAt(i++);
                if (c == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    else b.append(switch (e) { case 'n' -> '\n'; case 't' -> '\t'; case 'r' -> '\r'; default -> e; });
                } else b.append(c);
            }
            i++;
            return b.toString();
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
