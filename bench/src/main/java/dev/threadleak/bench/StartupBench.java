package dev.threadleak.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time of a hello-world JVM ({@code dev.threadleak.samples.Hello}) launched from this JVM, in two cases: it
 * prints and exits (no thread), and it prints from a thread it starts and joins (one thread: almost every real
 * program starts one in its first second). Each case under no agent, an agent whose premain does nothing, and
 * threadleak ({@code interval=0}). Runs are interleaved (one of each per round, so drift and caches hit all alike)
 * after warm-up rounds that are not counted; the time is from process start to exit, the output is checked to be
 * exactly "hello".
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.StartupBench --java BIN --samples JAR --agent JAR
 *      --empty JAR --dir DIR [--runs 25] [--warmup 3] [--baseline JAR] [--floor floor-agent.jar]</pre>
 */
public final class StartupBench {
    /** The two cases, and what threadleak may cost in each: at most this many times the empty agent's wall time (median). */
    static final List<String> CASES = List.of("no thread", "one thread");
    static final Map<String, Double> TARGET = Map.of("no thread", 1.25, "one thread", 1.3);

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int runs = Integer.parseInt(a.getOrDefault("runs", "25"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "3"));
        String cp = Args.require(a, "samples");
        Path dir = Path.of(Args.require(a, "dir"));
        Files.createDirectories(dir);

        Map<String, List<String>> agents = new LinkedHashMap<>();
        agents.put("no agent", List.of());
        agents.put("empty agent", List.of("-javaagent:" + Args.require(a, "empty")));
        if (a.containsKey("floor")) agents.put("floor agent", List.of("-javaagent:" + a.get("floor") + "=dir=" + dir)); // FloorAgent: the JDK's price for the hooks
        agents.put("threadleak", List.of("-javaagent:" + Args.require(a, "agent") + "=interval=0,dir=" + dir));
        if (a.containsKey("baseline")) { // another build of the agent, interleaved with this one: a before/after of a change
            agents.put("baseline", List.of("-javaagent:" + a.get("baseline") + "=interval=0,dir=" + dir));
        }
        Map<String, List<String>> configs = new LinkedHashMap<>();
        for (String thread : CASES) {
            for (Map.Entry<String, List<String>> agent : agents.entrySet()) {
                List<String> command = new ArrayList<>(List.of(java));
                command.addAll(agent.getValue());
                command.addAll(List.of("-cp", cp, "dev.threadleak.samples.Hello"));
                if (thread.equals("one thread")) command.add("thread");
                configs.put(thread + ", " + agent.getKey(), command);
            }
        }

        Map<String, double[]> ms = new LinkedHashMap<>();
        configs.keySet().forEach(k -> ms.put(k, new double[runs]));
        for (int round = -warmup; round < runs; round++) {
            for (Map.Entry<String, List<String>> c : configs.entrySet()) {
                double t = timeOnce(c.getValue());
                if (round >= 0) ms.get(c.getKey())[round] = t;
            }
        }

        System.out.println("start-up, hello world, " + runs + " interleaved runs each (+" + warmup + " warm-up), java=" + java);
        for (String thread : CASES) {
            System.out.printf("  %-24s %9s %9s %9s %8s %14s %28s%n", thread, "median ms", "mean ms", "min ms", "stdev", "vs empty (med)",
                    "paired: ms over empty (IQR)");
            double[] emptyRuns = ms.get(thread + ", empty agent");
            Stats empty = Stats.of(emptyRuns);
            for (String agent : agents.keySet()) {
                double[] runsOf = ms.get(thread + ", " + agent);
                Stats s = Stats.of(runsOf);
                // each run against the empty agent's run of its round: the machine's drift between rounds cancels
                double[] over = new double[runs];
                for (int i = 0; i < runs; i++) over[i] = runsOf[i] - emptyRuns[i];
                Arrays.sort(over);
                System.out.printf("    %-22s %9.1f %9.1f %9.1f %8.1f %13.2fx %+12.1f (%+.1f .. %+.1f)%n", agent, s.median(), s.mean(), s.min(), s.stdev(),
                        s.median() / empty.median(), Stats.of(over).median(), over[runs / 4], over[(3 * runs) / 4]);
            }
            Stats tl = Stats.of(ms.get(thread + ", threadleak"));
            double ratio = tl.median() / empty.median();
            System.out.printf("    verdict: threadleak/empty = %.2fx median, %.2fx mean (target <= %.2fx): %s%n",
                    ratio, tl.mean() / empty.mean(), TARGET.get(thread), ratio <= TARGET.get(thread) ? "MET" : "MISSED");
        }
    }

    private static double timeOnce(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        long t1 = System.nanoTime();
        String text = new String(out).trim();
        if (rc != 0 || !text.equals("hello")) {
            throw new IllegalStateException("unexpected result of " + command + ": exit " + rc + ", output: " + text);
        }
        return (t1 - t0) / 1e6;
    }
}
