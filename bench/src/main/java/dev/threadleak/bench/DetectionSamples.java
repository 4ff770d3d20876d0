package dev.threadleak.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Samples to detection, per leaky program, for two agent jars (the rule change of "growth judged on owners",
 * RESULTS.md L). Each program runs in a child JVM under one jar, a dump per sample:
 * {@code -javaagent:<jar>=dir=<tmp>,interval=200ms,sample=200ms,keep=100000,window=10s,growth=10}; once it has
 * exited, every dump ({@code threadleak-*.json}, the exit dump included) is read, ordered by {@code takenAtMs}
 * and numbered from 1, and this is counted:
 * <ul>
 *   <li>{@code rise}: the number of the first dump whose {@code summary.live} exceeds dump 1's (the program's
 *       threads have begun to pile up); 1 when no dump does (a program whose leak is all there at dump 1);</li>
 *   <li>{@code sg}: the number of the first dump with a {@code SITE_GROWTH} finding; reported as
 *       {@code sg - rise} (samples after the rise; 0 = in the rise's own dump) and as seconds after the agent
 *       started ({@code takenAtMs - agentStartedAtMs});</li>
 *   <li>the first dump with any finding: its number minus {@code rise}, and its kinds;</li>
 *   <li>every kind seen in any dump of the run.</li>
 * </ul>
 * Runs are interleaved per program: old, new, old, new (rounds). Prints a line per run, then a markdown table.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.DetectionSamples --old JAR --new JAR --corpus-cp CP
 *      --samples-cp CP [--java BIN[,BIN]] [--rounds 1] [--only Name,Name] [--calls 50] [--seconds 10]
 *      [--options ...] [--timeout 120]
 * java -cp benchmarks.jar dev.threadleak.bench.DetectionSamples --from LOG[,LOG]   (the table again, from printed run lines)</pre>
 * {@code --corpus-cp}: the corpus's classes directory and its libraries' jars (runtime scope only: never the
 * agent's jar); {@code --samples-cp}: samples/target/classes.
 */
public final class DetectionSamples {
    /** The leak corpus (corpus/.../CorpusIT.PROGRAMS), each run as {@code <Program> leak <calls>}. */
    static final List<String> CORPUS = List.of("NettyClient", "NettyServer", "OkHttp", "JdkHttpClient", "ReactorParallel", "GuavaExecutor",
            "JettyClient", "ApacheHttpClient", "CaffeineCache", "QuartzScheduler", "SpringTaskScheduler", "Hikari", "RxJavaNewThread",
            "TimerPerCall", "ScheduledPool", "CompletableFutureExecutor", "GrpcChannel", "FileMonitor");
    /** The leaky samples (samples/...), each run as {@code <Sample> <seconds>}; VirtualFutureWaiters needs JDK 21+. */
    static final List<String> SAMPLES = List.of("ExecutorPerRequest", "BlockedConsumers", "TimerPerCall", "ClientPerCall", "StuckTasks",
            "VirtualFutureWaiters", "LockOrderDeadlock");
    static final String OPTIONS = "interval=200ms,sample=200ms,keep=100000,window=10s,growth=10";

    record Program(String label, String mainClass, String classPath, List<String> args, int minFeature) {}

    /** One run's reading; dump numbers are 1-based, -1 = none. */
    record Run(String program, String java, String jar, int round, int dumps, int firstLive, int rise, int siteGrowth, double siteGrowthS,
            int firstFinding, String firstKinds, String allKinds, String exitFindings, String note) {
        String rel(int n) {
            return n < 0 ? "none" : Integer.toString(n - rise);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        if (a.containsKey("from")) { // re-render the table from the run lines this tool printed (one or more logs)
            List<Run> runs = new ArrayList<>();
            for (String log : a.get("from").split(",")) {
                for (String line : Files.readAllLines(Path.of(log))) {
                    String[] c = line.split("\t", -1);
                    if (c.length < 13 || line.startsWith("#")) continue;
                    int rise = Integer.parseInt(c[6]);
                    runs.add(new Run(c[0], c[1], c[2], Integer.parseInt(c[3]), Integer.parseInt(c[4]), Integer.parseInt(c[5]), rise,
                            c[7].equals("none") ? -1 : rise + Integer.parseInt(c[7]), c[8].equals("-") ? 0 : Double.parseDouble(c[8]),
                            c[9].equals("none") ? -1 : rise + Integer.parseInt(c[9]), c[10], c[11], "(not in the log)", c[12]));
                }
            }
            table(runs);
            return;
        }
        Map<String, String> jars = new LinkedHashMap<>();
        jars.put("old", Args.require(a, "old"));
        jars.put("new", Args.require(a, "new"));
        List<String> javas = List.of(a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()).split(","));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "1"));
        int calls = Integer.parseInt(a.getOrDefault("calls", "50"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        long timeout = Long.parseLong(a.getOrDefault("timeout", "120"));
        String options = a.getOrDefault("options", OPTIONS);
        List<String> only = a.containsKey("only") ? List.of(a.get("only").split(",")) : null;

        List<Program> programs = new ArrayList<>();
        String corpusCp = Args.require(a, "corpus-cp"), samplesCp = Args.require(a, "samples-cp");
        for (String p : CORPUS) {
            programs.add(new Program("corpus " + p, "dev.threadleak.corpus." + p, corpusCp, List.of("leak", Integer.toString(calls)), 17));
        }
        for (String s : SAMPLES) {
            programs.add(new Program("sample " + s, "dev.threadleak.samples." + s, samplesCp, List.of(Integer.toString(seconds)),
                    s.startsWith("Virtual") ? 21 : 17));
        }
        if (only != null) programs.removeIf(p -> only.stream().noneMatch(o -> p.label().endsWith(" " + o) || p.label().equals(o)));

        System.out.println("# " + options + "; " + rounds + " round(s); corpus: leak " + calls + "; samples: " + seconds + " s");
        System.out.println("# program\tjava\tjar\tround\tdumps\tlive@1\trise\tSG-rise\tSG s\tfirst-rise\tfirst kinds\tall kinds\tnote");
        List<Run> runs = new ArrayList<>();
        for (String java : javas) {
            int feature = feature(java);
            for (Program p : programs) {
                if (feature < p.minFeature()) continue;
                for (int r = 1; r <= rounds; r++) {
                    for (Map.Entry<String, String> jar : jars.entrySet()) {
                        Run run = run(p, java, feature, jar.getKey(), jar.getValue(), r, options, timeout);
                        runs.add(run);
                        System.out.printf("%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s%n", run.program(), run.java(), run.jar(), r,
                                run.dumps(), run.firstLive(), run.rise(), run.rel(run.siteGrowth()),
                                run.siteGrowth() < 0 ? "-" : String.format("%.1f", run.siteGrowthS()), run.rel(run.firstFinding()),
                                run.firstKinds(), run.allKinds(), run.note());
                    }
                }
            }
        }
        System.out.println();
        table(runs);
    }

    /** The JDK's feature release, from {@code java -XshowSettings:properties -version}. */
    static int feature(String java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().map(String::trim).filter(l -> l.startsWith("java.specification.version = ")).findFirst()
                .map(l -> Integer.parseInt(l.substring(l.indexOf('=') + 1).trim())).orElseThrow(() -> new IllegalStateException(out));
    }

    static Run run(Program p, String java, int feature, String jarName, String jar, int round, String options, long timeout)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("tl-detect-");
        try {
            Path dumps = Files.createDirectory(dir.resolve("dumps"));
            List<String> command = new ArrayList<>(List.of(java, "-javaagent:" + jar + "=dir=" + dumps + "," + options, "-cp", p.classPath(),
                    p.mainClass()));
            command.addAll(p.args());
            Process child = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile())
                    .start();
            String note = "";
            if (!child.waitFor(timeout, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
                note = "killed after " + timeout + " s; ";
            } else if (child.exitValue() != 0) {
                note = "exit " + child.exitValue() + "; ";
            }
            String err = Files.readString(dir.resolve("err")).strip();
            if (!err.isEmpty()) note += "stderr: " + err.lines().findFirst().orElse("") + "; ";
            return read(p.label(), "jdk" + feature, jarName, round, dumps, note);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(f);
            }
        }
    }

    record Dump(long takenAtMs, long agentStartedAtMs, int live, List<String> kinds, List<String> findings) {}

    static Run read(String program, String java, String jar, int round, Path dir, String note) throws IOException {
        List<Dump> dumps = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().matches("threadleak-.*\\.json"))::iterator) {
                JsonNode d = JSON.readTree(f.toFile());
                List<String> kinds = new ArrayList<>(), findings = new ArrayList<>();
                for (JsonNode finding : d.path("findings")) {
                    kinds.add(finding.path("kind").asText());
                    findings.add(finding.path("kind").asText() + ": " + finding.path("title").asText()
                            + (finding.hasNonNull("blame") ? " @ " + finding.path("blame").asText() : ""));
                }
                dumps.add(new Dump(d.path("takenAtMs").asLong(), d.path("agentStartedAtMs").asLong(), d.path("summary").path("live").asInt(),
                        kinds, findings));
            }
        }
        dumps.sort(Comparator.comparingLong(Dump::takenAtMs));
        if (dumps.isEmpty()) return new Run(program, java, jar, round, 0, 0, 1, -1, 0, -1, "-", "-", "-", note + "no dumps");
        int rise = 1, siteGrowth = -1, first = -1;
        for (int i = 1; i < dumps.size(); i++) {
            if (dumps.get(i).live() > dumps.get(0).live()) {
                rise = i + 1;
                break;
            }
        }
        if (rise == 1 && dumps.size() > 1) note += "live never rose above dump 1's; ";
        TreeSet<String> all = new TreeSet<>();
        for (int i = 0; i < dumps.size(); i++) {
            Dump d = dumps.get(i);
            all.addAll(d.kinds());
            if (first < 0 && !d.kinds().isEmpty()) first = i + 1;
            if (siteGrowth < 0 && d.kinds().contains("SITE_GROWTH")) siteGrowth = i + 1;
        }
        Dump last = dumps.get(dumps.size() - 1);
        double sgS = siteGrowth < 0 ? 0 : (dumps.get(siteGrowth - 1).takenAtMs() - dumps.get(siteGrowth - 1).agentStartedAtMs()) / 1000.0;
        String firstKinds = first < 0 ? "-" : String.join("+", new TreeSet<>(dumps.get(first - 1).kinds()));
        return new Run(program, java, jar, round, dumps.size(), dumps.get(0).live(), rise, siteGrowth, sgS, first, firstKinds,
                all.isEmpty() ? "-" : String.join("+", all), String.join(" | ", last.findings()), note);
    }

    /** A row per program and JDK: each cell lists the rounds' values, comma-separated. */
    static void table(List<Run> runs) {
        System.out.println("| program | JDK | old: first SITE_GROWTH dump (rise+n) | new: first SITE_GROWTH dump (rise+n) | old: its s after agent start"
                + " | new: its s after agent start | old: first finding (rise+n) kinds | new: first finding (rise+n) kinds"
                + " | kinds old gave, new never | flag |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        Map<String, List<Run>> byRow = runs.stream().collect(Collectors.groupingBy(r -> r.program() + "\t" + r.java(), LinkedHashMap::new,
                Collectors.toList()));
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, List<Run>> row : byRow.entrySet()) {
            List<Run> old = row.getValue().stream().filter(r -> r.jar().equals("old")).toList();
            List<Run> neu = row.getValue().stream().filter(r -> r.jar().equals("new")).toList();
            String flag = "";
            boolean oldSg = old.stream().anyMatch(r -> r.siteGrowth() > 0), newSg = neu.stream().anyMatch(r -> r.siteGrowth() > 0);
            boolean oldAny = old.stream().anyMatch(r -> r.firstFinding() > 0), newAny = neu.stream().anyMatch(r -> r.firstFinding() > 0);
            if (oldAny && !newAny) flag = "**NEW: NO FINDING**";
            else if (oldSg && !newSg) flag = "**new: no SITE_GROWTH**";
            else if (oldSg && neu.stream().anyMatch(r -> r.siteGrowth() < 0)) flag = "new: SITE_GROWTH missed in a round";
            String[] key = row.getKey().split("\t");
            TreeSet<String> lost = new TreeSet<>(), newKinds = new TreeSet<>();
            old.forEach(r -> lost.addAll(List.of(r.allKinds().split("\\+"))));
            neu.forEach(r -> newKinds.addAll(List.of(r.allKinds().split("\\+"))));
            lost.removeAll(newKinds);
            lost.remove("-");
            System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", key[0], key[1],
                    cells(old, r -> r.rel(r.siteGrowth())), cells(neu, r -> r.rel(r.siteGrowth())),
                    cells(old, r -> r.siteGrowth() < 0 ? "-" : String.format("%.1f", r.siteGrowthS())),
                    cells(neu, r -> r.siteGrowth() < 0 ? "-" : String.format("%.1f", r.siteGrowthS())),
                    cells(old, r -> r.rel(r.firstFinding()) + " " + r.firstKinds()), cells(neu, r -> r.rel(r.firstFinding()) + " " + r.firstKinds()),
                    lost.isEmpty() ? "" : String.join(", ", lost), flag);
            for (Run r : row.getValue()) {
                if (!r.note().isEmpty()) notes.add(r.program() + " " + r.java() + " " + r.jar() + " round " + r.round() + ": " + r.note());
                if (!flag.isEmpty() && r.jar().equals("new")) {
                    notes.add(r.program() + " " + r.java() + " new round " + r.round() + ", exit dump's findings: "
                            + (r.exitFindings().isEmpty() ? "none" : r.exitFindings()));
                }
            }
        }
        if (!notes.isEmpty()) {
            System.out.println();
            notes.forEach(n -> System.out.println("- " + n));
        }
    }

    private static String cells(List<Run> runs, java.util.function.Function<Run, String> f) {
        return runs.stream().map(f).collect(Collectors.joining(", "));
    }

    private DetectionSamples() {}
}
