package dev.threadleak.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The real-server benchmark ({@code scripts/bench server}): {@link BenchServer} (Jetty 12 or the JDK's HttpServer,
 * each thread model, each handler) under {@code wrk} on 127.0.0.1, in each JVM configuration: no agent, an empty
 * agent, threadleak at its defaults, threadleak {@code sample=1s}, JFR recording thread starts with stacks.
 * <p>One run = a fresh server JVM: launch, poll until the first 200 (time to first response), a warm-up wrk run,
 * the measured wrk run, kill. Every configuration of a server runs once per round, one after another, in an
 * order rotated each round, so machine noise and drift hit all configurations alike. Per configuration it
 * reports the medians over rounds of: requests/s, p99 latency, young-GC pause total and longest young pause
 * within the measured run (from the server's {@code -Xlog:gc}), and time to first response; plus ratios to
 * no agent. Every run is appended to {@code server-runs.tsv} as it ends, the medians go to
 * {@code server-summary.tsv}, both under {@code --out}.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.ServerBench --java BIN --agent JAR --empty JAR --jfc FILE
 *      --out DIR [options of {@link #USAGE}]</pre>
 */
public final class ServerBench {
    static final String USAGE = "scripts/bench server [--quick] [--no-build] [--servers jdk,jetty] [--modes pool,virtual,thread]"
            + " [--handlers trivial,work] [--configs none,empty,threadleak,threadleak-1s,jfr] [--rounds N] [--duration SECONDS]"
            + " [--warmup SECONDS] [--threads N] [--connections N] [--pin-server CPUS] [--pin-wrk CPUS] [--port N] [--heap SIZE]"
            + " [--java BIN (the server JVM; default JDK 25's java)]";
    private static final List<String> SERVERS = List.of("jdk", "jetty"), MODES = List.of("pool", "virtual", "thread"),
            HANDLERS = List.of("trivial", "work"), CONFIGS = List.of("none", "empty", "threadleak", "threadleak-1s", "jfr");
    /** Given by scripts/bench (a user's --java, later on the command line, wins). */
    private static final Set<String> PATHS = Set.of("java", "agent", "empty", "jfc", "out");
    private static final Set<String> OPTIONS = Set.of("quick", "servers", "modes", "handlers", "configs", "rounds", "duration",
            "warmup", "threads", "connections", "pin-server", "pin-wrk", "port", "heap");
    private static final long FIRST_RESPONSE_TIMEOUT_MS = 60_000;

    private static volatile Process current; // the server or wrk process running now: killed if we are

    record Cell(String server, String mode, String handler) {
        String title() {
            String s = server.equals("jdk") ? "JDK HttpServer" : "Jetty 12";
            String m = switch (mode) {
                case "pool" -> "fixed pool of " + BenchServer.POOL_THREADS;
                case "virtual" -> "virtual thread per request";
                default -> "new platform thread per request";
            };
            return s + ", " + m + ", " + (handler.equals("work") ? "~50 us of work" : "trivial") + " handler";
        }
    }

    record Run(int round, Cell cell, String config, Wrk wrk, GcLog gc, double firstResponseMs, double load) {}

    private final Map<String, String> a;
    private final String java, agent, empty, jfc, heap, jar;
    private final List<String> pinServer, pinWrk;
    private final int rounds, duration, warmup, threads, connections, port;
    private final List<Cell> cells = new ArrayList<>();
    private final List<String> configs;
    private final Path out;
    private Path tmp; // a directory per run: server log, GC log, dumps, recording; kept only for a failed run

    private ServerBench(Map<String, String> a) throws IOException {
        this.a = a;
        for (String k : a.keySet()) {
            if (!PATHS.contains(k) && !OPTIONS.contains(k)) throw new IllegalArgumentException("unknown option --" + k);
        }
        boolean quick = a.containsKey("quick");
        java = file("java");
        agent = file("agent");
        empty = file("empty");
        jfc = file("jfc");
        out = Path.of(Args.require(a, "out"));
        jar = System.getProperty("java.class.path");
        // --quick: the question issues 12 and 15 ask first (virtual thread per request, trivial handler), short runs
        List<String> servers = list("servers", SERVERS, SERVERS);
        List<String> modes = list("modes", quick ? List.of("virtual") : MODES, MODES);
        List<String> handlers = list("handlers", quick ? List.of("trivial") : HANDLERS, HANDLERS);
        configs = list("configs", CONFIGS, CONFIGS);
        rounds = positive("rounds", quick ? 2 : 3);
        duration = positive("duration", quick ? 4 : 10);
        warmup = number("warmup", quick ? 2 : 5, 0);
        threads = positive("threads", 2);
        connections = positive("connections", 64);
        if (connections < threads) throw new IllegalArgumentException("--connections " + connections + " is below --threads " + threads);
        port = number("port", 18080, 1);
        heap = a.getOrDefault("heap", "512m");
        if (!heap.matches("\\d+[kmgKMG]?")) throw new IllegalArgumentException("--heap " + heap + ": expected a size like 512m");
        pinServer = pin("pin-server");
        pinWrk = pin("pin-wrk");
        for (String s : servers) for (String m : modes) for (String h : handlers) cells.add(new Cell(s, m, h));
        Files.createDirectories(out);
    }

    public static void main(String[] args) throws Exception {
        ServerBench bench;
        try { // bad input: exit 2; a bench that cannot run here: exit 1
            Map<String, String> a = Args.parse(args);
            if (a.containsKey("help")) {
                System.out.println("usage: " + USAGE);
                return;
            }
            bench = new ServerBench(a);
            bench.checkPortFree();
        } catch (IllegalArgumentException e) {
            System.err.println("scripts/bench server: " + e.getMessage() + " (--help lists the options)");
            System.exit(2);
            return;
        } catch (BenchFailure e) {
            System.err.println("scripts/bench server: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = current;
            if (p != null) p.destroyForcibly();
        }));
        try {
            bench.run();
        } catch (BenchFailure e) {
            System.err.println("scripts/bench server: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A run that cannot be measured: the message says what and where its logs are. */
    static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }
    }

    private void run() throws Exception {
        tmp = Files.createTempDirectory("threadleak-serverbench");
        int total = rounds * cells.size() * configs.size();
        System.out.printf("== server benchmark, %d cores, %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                Instant.now().toString().replaceAll("\\.\\d+", ""), loadAverage());
        System.out.printf("   server JVM: %s (%s), -Xms%s -Xmx%s%s; wrk -t%d -c%d, %ds warm-up + %ds measured%s%n", java,
                javaVersion(), heap, heap, pinServer.isEmpty() ? "" : ", pinned to CPU " + pinServer.get(2), threads, connections,
                warmup, duration, pinWrk.isEmpty() ? "" : ", wrk pinned to CPU " + pinWrk.get(2));
        long seconds = total * (warmup + duration + 3L); // + about 3 s to start and stop each server JVM
        System.out.printf("   %d runs (%d rounds x %d server setups x %d configs), about %s; configs interleaved%n", total, rounds,
                cells.size(), configs.size(), seconds < 120 ? seconds + " s" : Math.round(seconds / 60.0) + " min");
        Path runsTsv = out.resolve("server-runs.tsv");
        List<Run> runs = new ArrayList<>();
        try (PrintWriter tsv = new PrintWriter(Files.newBufferedWriter(runsTsv))) {
            tsv.println("round\tserver\tmode\thandler\tconfig\treq_per_s\tp50_ms\tp99_ms\trequests\tsocket_errors\tnon_2xx"
                    + "\tyoung_gc_ms\tyoung_gc_max_ms\tyoung_gcs\tother_pause_ms\theap_after_max_mb\tfirst_response_ms\tload1");
            int n = 0;
            for (int round = 1; round <= rounds; round++) {
                for (Cell cell : cells) {
                    for (int i = 0; i < configs.size(); i++) {
                        String config = configs.get((i + round - 1) % configs.size()); // rotated: no config always first
                        Run r = runOnce(++n, round, cell, config);
                        runs.add(r);
                        System.out.printf("   [%d/%d] round %d %s %s %s %-13s %9.0f req/s  p99 %6.2f ms  young GC %6.1f ms (max %5.1f)"
                                        + "  first response %5.0f ms%s%n", n, total, round, cell.server, cell.mode, cell.handler, config,
                                r.wrk.requestsPerSecond(), r.wrk.p99Ms(), r.gc.youngMs(), r.gc.youngMaxMs(), r.firstResponseMs,
                                errors(r) > 0 ? "  ERRORS " + errors(r) : "");
                        tsv.printf(Locale.ROOT, "%d\t%s\t%s\t%s\t%s\t%.1f\t%.3f\t%.3f\t%d\t%d\t%d\t%.1f\t%.1f\t%d\t%.1f\t%.1f\t%.0f\t%.2f%n",
                                round, cell.server, cell.mode, cell.handler, config, r.wrk.requestsPerSecond(), r.wrk.p50Ms(), r.wrk.p99Ms(),
                                r.wrk.requests(), r.wrk.socketErrors(), r.wrk.non2xx(), r.gc.youngMs(), r.gc.youngMaxMs(),
                                r.gc.youngCount(), r.gc.otherPauseMs(), r.gc.heapAfterMaxMb(), r.firstResponseMs, r.load);
                        tsv.flush();
                    }
                }
            }
        }
        summarize(runs, runsTsv);
        deleteTree(tmp);
    }

    private Run runOnce(int n, int round, Cell cell, String config) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run-" + n));
        Path gcLog = dir.resolve("gc.log"), serverLog = dir.resolve("server.log");
        checkPortFree();
        List<String> cmd = new ArrayList<>(pinServer);
        cmd.addAll(List.of(java, "-Xms" + heap, "-Xmx" + heap, GcLog.jvmOption(gcLog)));
        cmd.addAll(configArgs(config, dir));
        cmd.addAll(List.of("-cp", jar, BenchServer.class.getName(), "--server", cell.server, "--mode", cell.mode,
                "--handler", cell.handler, "--port", Integer.toString(port)));
        String what = cell.server + " " + cell.mode + " " + cell.handler + " " + config + " (round " + round + ")";
        long t0 = System.nanoTime();
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(serverLog.toFile()).start();
        current = server;
        try {
            double firstResponseMs = awaitFirstResponse(server, serverLog, what, t0);
            checkStatus(serverLog, config, what);
            if (warmup > 0) wrk(warmup, what);
            long from = System.currentTimeMillis();
            Wrk w = wrk(duration, what);
            long to = System.currentTimeMillis();
            double load = load1();
            if (!server.isAlive()) throw failure(what, "the server died during the load run", serverLog);
            stop(server);
            Run run = new Run(round, cell, config, w, GcLog.read(gcLog, from, to), firstResponseMs, load);
            deleteTree(dir); // its dumps and recordings; a failed run's directory stays for its logs
            return run;
        } finally {
            if (server.isAlive()) stop(server);
            current = null;
        }
    }

    private List<String> configArgs(String config, Path dir) {
        // one agent dir for every run, as a service keeps its own across restarts: the first run hooks the JDK with ASM
        // and keeps the hooked classes there, the next ones start from them (see HookCache)
        String dumps = "=dir=" + tmp.resolve("agent-dir");
        return switch (config) {
            case "none" -> List.of();
            case "empty" -> List.of("-javaagent:" + empty);
            case "threadleak" -> List.of("-javaagent:" + agent + dumps);
            case "threadleak-1s" -> List.of("-javaagent:" + agent + dumps + ",sample=1s");
            default -> List.of("-XX:StartFlightRecording=settings=" + jfc + ",filename=" + dir.resolve("recording.jfr"));
        };
    }

    /**
     * Milliseconds from launching the server to its first 200, polled every 2 ms with one raw HTTP/1.1 request (a
     * listener that accepts before it can answer resets or stalls: that is "not yet" too, until the time-out).
     */
    private double awaitFirstResponse(Process server, Path log, String what, long t0) throws Exception {
        byte[] request = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        while (true) {
            String status;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                OutputStream o = s.getOutputStream();
                o.write(request);
                o.flush();
                status = statusLine(s.getInputStream());
            } catch (IOException notYet) {
                status = null;
            }
            if (status != null && status.startsWith("HTTP/1.1 200")) return (System.nanoTime() - t0) / 1e6;
            if (status != null && !status.isEmpty()) throw failure(what, "the first response was '" + status + "', not 200", log);
            if (!server.isAlive()) throw failure(what, "the server exited with " + server.waitFor() + " before answering", log);
            if ((System.nanoTime() - t0) / 1_000_000 > FIRST_RESPONSE_TIMEOUT_MS) {
                throw failure(what, "no response within " + FIRST_RESPONSE_TIMEOUT_MS / 1000 + " s", log);
            }
            Thread.sleep(2);
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\r' && c != '\n'; ) b.append((char) c);
        return b.toString();
    }

    /** The server's status line must show the configuration it was launched in (agent hooked, JFR recording). */
    private void checkStatus(Path log, String config, String what) throws IOException {
        String status = Files.readAllLines(log).stream().filter(l -> l.startsWith("status ")).findFirst()
                .orElseThrow(() -> failure(what, "the server printed no status line", log));
        boolean threadleak = config.startsWith("threadleak"), jfr = config.equals("jfr");
        if (!status.contains(" threadleak=" + threadleak + " ") || !status.contains(" jfr=" + jfr + " ")) {
            throw failure(what, "the server does not run as configured: " + status, log);
        }
    }

    private Wrk wrk(int seconds, String what) throws Exception {
        List<String> cmd = new ArrayList<>(pinWrk);
        cmd.addAll(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency",
                "http://127.0.0.1:" + port + "/"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        current = p;
        // wrk's output is a few hundred bytes: reading it to the end cannot block wrk
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new BenchFailure(what + ": wrk failed: " + output.strip());
        }
        try {
            return Wrk.parse(output);
        } catch (IllegalStateException e) {
            throw new BenchFailure(what + ": " + e.getMessage());
        }
    }

    /** SIGTERM (shutdown hooks run: threadleak's exit dump, JFR's recording), then SIGKILL after 30 s. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private BenchFailure failure(String what, String problem, Path log) {
        String tail;
        try {
            List<String> lines = Files.readAllLines(log);
            tail = String.join("\n      ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            tail = "(no log: " + e.getMessage() + ")";
        }
        return new BenchFailure(what + ": " + problem + "; server log " + log + " ends:\n      " + tail);
    }

    private void checkPortFree() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the servers bind: a port in TIME_WAIT only is free for them too
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new BenchFailure("port " + port + " on 127.0.0.1 is busy (" + e.getMessage() + "); pass --port N");
        }
    }

    private void summarize(List<Run> runs, Path runsTsv) throws IOException {
        Path summaryTsv = out.resolve("server-summary.tsv");
        try (PrintWriter tsv = new PrintWriter(Files.newBufferedWriter(summaryTsv))) {
            tsv.println("server\tmode\thandler\tconfig\trounds\treq_per_s\treq_min\treq_max\treq_ratio\tp99_ms\tp99_ratio"
                    + "\tyoung_gc_ms\tyoung_gc_max_ms\theap_after_max_mb\tfirst_response_ms\terrors");
            for (Cell cell : cells) {
                System.out.printf("%n%s (%s)%n", cell.title(), rounds == 1 ? "1 round" : "medians of " + rounds + " rounds");
                System.out.printf("  %-14s %9s %6s %7s %8s %7s %11s %10s %10s %10s %7s%n", "config", "req/s", "+/-", "ratio", "p99 ms",
                        "ratio", "young GC ms", "longest ms", "heap MB", "1st resp", "errors");
                Map<String, List<Run>> byConfig = new LinkedHashMap<>();
                for (String c : configs) byConfig.put(c, runs.stream().filter(r -> r.cell.equals(cell) && r.config.equals(c)).toList());
                List<Run> none = byConfig.get("none");
                for (Map.Entry<String, List<Run>> e : byConfig.entrySet()) {
                    List<Run> rs = e.getValue();
                    Stats rpsStats = Stats.of(rs.stream().mapToDouble(r -> r.wrk.requestsPerSecond()).toArray());
                    double rps = rpsStats.median(), p99 = median(rs, r -> r.wrk.p99Ms());
                    // half the range over rounds, relative to the median: how far apart the rounds were (noise)
                    String spread = rs.size() < 2 ? "-"
                            : String.format(Locale.ROOT, "%.0f%%", (rpsStats.max() - rpsStats.min()) / 2 / rps * 100);
                    double rpsRatio = none == null ? Double.NaN : rps / median(none, r -> r.wrk.requestsPerSecond());
                    double p99Ratio = none == null ? Double.NaN : p99 / median(none, r -> r.wrk.p99Ms());
                    double young = median(rs, r -> r.gc.youngMs()), youngMax = median(rs, r -> r.gc.youngMaxMs());
                    double heapAfter = median(rs, r -> r.gc.heapAfterMaxMb()), first = median(rs, r -> r.firstResponseMs);
                    long errors = rs.stream().mapToLong(ServerBench::errors).sum();
                    System.out.printf(Locale.ROOT, "  %-14s %9.0f %6s %7s %8.2f %7s %11.1f %10.1f %10.0f %10.0f %7d%n", e.getKey(), rps,
                            spread, ratio(rpsRatio), p99, ratio(p99Ratio), young, youngMax, heapAfter, first, errors);
                    tsv.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.3f\t%.3f\t%.3f\t%.1f\t%.1f\t%.1f\t%.0f\t%d%n",
                            cell.server, cell.mode, cell.handler, e.getKey(), rs.size(), rps, rpsStats.min(), rpsStats.max(), rpsRatio,
                            p99, p99Ratio, young, youngMax, heapAfter, first, errors);
                }
            }
        }
        System.out.printf("%n+/-: half the range of req/s over rounds, relative to the median; ratio: to no agent (medians);"
                + "%nyoung GC: pause total and longest pause within the measured run; heap MB: largest heap after a young GC;"
                + "%n1st resp: ms from launching the server JVM to its first 200; errors: wrk socket errors + non-2xx, all rounds."
                + "%nLoad average at the end: %s%n", loadAverage());
        System.out.println("runs: " + runsTsv + "\nmedians: " + summaryTsv);
    }

    private static long errors(Run r) {
        return r.wrk.socketErrors() + r.wrk.non2xx();
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        return Stats.of(runs.stream().mapToDouble(f).toArray()).median();
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
    }

    private String file(String key) {
        String f = Args.require(a, key);
        if (!Files.isRegularFile(Path.of(f))) throw new IllegalArgumentException("--" + key + " " + f + ": no such file");
        return f;
    }

    private List<String> list(String key, List<String> defaults, List<String> known) {
        if (!a.containsKey(key)) return defaults;
        List<String> values = Arrays.stream(a.get(key).split(",")).map(String::strip).distinct().toList();
        for (String v : values) {
            if (!known.contains(v)) throw new IllegalArgumentException("--" + key + ": unknown '" + v + "' (known: " + String.join(",", known) + ")");
        }
        // keep the canonical order: tables read alike whatever order the user typed
        return known.stream().filter(values::contains).toList();
    }

    private int positive(String key, int dflt) {
        return number(key, dflt, 1);
    }

    private int number(String key, int dflt, int min) {
        String v = a.get(key);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n >= min) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + key + " " + v + ": expected a whole number >= " + min);
    }

    /** {@code taskset -c CPUS} as a command prefix, or nothing. */
    private List<String> pin(String key) {
        String cpus = a.get(key);
        if (cpus == null) return List.of();
        if (!cpus.matches("\\d+([-,]\\d+)*")) throw new IllegalArgumentException("--" + key + " " + cpus + ": expected CPUs like 1 or 0-1");
        int cores = Runtime.getRuntime().availableProcessors();
        for (String n : cpus.split("[-,]")) {
            if (Integer.parseInt(n) >= cores) throw new IllegalArgumentException("--" + key + " " + cpus + ": CPUs are 0-" + (cores - 1) + " here");
        }
        return List.of("taskset", "-c", cpus);
    }

    private String javaVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text.lines().skip(1).findFirst().orElse("?").strip();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double load1() {
        String[] f = loadAverage().split(" ");
        return f.length == 3 ? Double.parseDouble(f[0]) : Double.NaN;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
