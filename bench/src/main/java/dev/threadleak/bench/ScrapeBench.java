package dev.threadleak.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a scrape of {@code /metrics} costs a JVM with many threads (issue 11: under 10 ms, no stack walk): a child JVM
 * parks N platform threads under the agent with {@code http=}; once its {@code /metrics} counts them, this sends
 * sequential GETs, first a warm-up of every variant, then the timed ones, and reports the wall time per request and the child's CPU
 * time per request (utime + stime from /proc, 10 ms ticks: only the mean over many requests means something).
 * Each request is measured four ways: the Prometheus text format and OpenMetrics (Prometheus's own Accept header),
 * each on a new connection per request and asking to keep the connection alive (as Prometheus scrapes); when the
 * server answers {@code Connection: close}, the next request opens a new one, in its own time.
 * The child's {@code threadleak_samples_total} before and after shows that requests take no sample of their own.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.ScrapeBench --agent ../agent/target/threadleak-agent.jar
 *      [--java /usr/lib/jvm/.../bin/java] [--threads 10000] [--warmup 200] [--requests 500] [--port 19464]</pre>
 */
public final class ScrapeBench {
    /** What Prometheus 2.42 sends (seen on the wire): OpenMetrics first. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on Linux x86-64). */
    private static final double TICKS_PER_SECOND = 100;

    private ScrapeBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        if (a.containsKey("park")) {
            park(Integer.parseInt(a.get("park")));
            return;
        }
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int threads = Integer.parseInt(a.getOrDefault("threads", "10000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "200"));
        int requests = Integer.parseInt(a.getOrDefault("requests", "500"));
        int port = Integer.parseInt(a.getOrDefault("port", "19464"));
        String agent = Path.of(Args.require(a, "agent")).toAbsolutePath().toString();
        List<String> cmd = List.of(java, "-Xss256k", "-javaagent:" + agent + "=interval=0,http=" + port,
                "-cp", System.getProperty("java.class.path"), ScrapeBench.class.getName(), "--park", String.valueOf(threads));
        Process child = new ProcessBuilder(cmd).inheritIO().start();
        try {
            String metrics = awaitThreads(port, threads, child);
            System.out.printf("%s, %d parked platform threads, agent %s%n", java, threads, agent);
            System.out.printf("  /metrics: %d bytes (text), jvm_threads_current %s, threadleak_live_threads %s%n", metrics.length(),
                    value(metrics, "jvm_threads_current"), value(metrics, "threadleak_live_threads"));
            String samplesBefore = value(metrics, "threadleak_samples_total");
            long began = System.nanoTime();
            for (boolean timed : new boolean[] {false, true}) { // every variant warmed up before the first is timed
                for (String accept : new String[] {null, PROMETHEUS_ACCEPT}) {
                    for (boolean keepAlive : new boolean[] {false, true}) {
                        measure(port, child.pid(), accept, keepAlive, timed ? requests : warmup, timed);
                    }
                }
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            String after;
            try (Socket s = new Socket("127.0.0.1", port)) {
                after = value(get(s, null, false), "threadleak_samples_total");
            }
            System.out.printf("  threadleak_samples_total %s before, %s after %.1f s of requests (sample=5s: one sample per 5 s, none per request)%n",
                    samplesBefore, after, seconds);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }

    /** The child: N platform threads parked on a latch, then sleep until killed. */
    private static void park(int n) throws InterruptedException {
        Parked.daemons(n);
        Thread.sleep(Long.MAX_VALUE);
    }

    /**
     * Polls /metrics (up to 5 minutes) until the JVM has the parked threads (ThreadMXBean's count, read at the scrape) and
     * the agent has taken two samples since; returns that page.
     */
    private static String awaitThreads(int port, int threads, Process child) throws Exception {
        long end = System.nanoTime() + 300_000_000_000L;
        double samplesWhenStarted = -1;
        while (System.nanoTime() < end && child.isAlive()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                String page = get(s, null, false);
                double current = Double.parseDouble(value(page, "jvm_threads_current")), samples = Double.parseDouble(value(page, "threadleak_samples_total"));
                if (samplesWhenStarted < 0 && current >= threads) samplesWhenStarted = samples;
                if (samplesWhenStarted >= 0 && samples >= samplesWhenStarted + 2) return page;
            } catch (IOException notYet) {
                // the endpoint starts about a second after the JVM
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the child's /metrics never counted " + threads + " threads");
    }

    /** {@code requests} sequential GETs; their numbers printed when {@code timed} (else a warm-up). */
    private static void measure(int port, long pid, String accept, boolean keepAlive, int requests, boolean timed) throws IOException {
        double[] ms = new double[requests];
        long cpuBefore = 0;
        Socket kept = null;
        try {
            String[] headers = new String[2];
            cpuBefore = cpuTicks(pid);
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                if (kept == null) kept = new Socket("127.0.0.1", port);
                String page = get(kept, accept, keepAlive, headers);
                if (!keepAlive || "close".equalsIgnoreCase(headers[1])) {
                    kept.close();
                    kept = null;
                }
                ms[i] = (System.nanoTime() - t0) / 1e6;
                if (page.isEmpty()) throw new IllegalStateException("empty /metrics");
            }
            if (!timed) return;
            double cpuMs = (cpuTicks(pid) - cpuBefore) / TICKS_PER_SECOND * 1000 / requests;
            Stats st = Stats.of(ms);
            double[] sorted = ms.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf("  %-12s %-22s wall ms: min %.2f  median %.2f  p90 %.2f  max %.2f   child CPU %.2f ms/request   (%s)%n",
                    accept == null ? "text" : "OpenMetrics", keepAlive ? "keep-alive asked" : "new conn per request",
                    st.min(), st.median(), sorted[(int) (requests * 0.9)], st.max(), cpuMs, headers[0] + (headers[1] == null ? "" : "; Connection: " + headers[1]));
        } finally {
            if (kept != null) kept.close();
        }
    }

    static String get(Socket s, String accept, boolean keepAlive) throws IOException {
        return get(s, accept, keepAlive, new String[2]);
    }

    /** One HTTP/1.1 GET of /metrics on {@code s}; the body; {@code headers} set to the response's Content-Type and Connection. */
    private static String get(Socket s, String accept, boolean keepAlive, String[] headers) throws IOException {
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        out.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (accept == null ? "" : "Accept: " + accept + "\r\n")
                + (keepAlive ? "" : "Connection: close\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c, matched = 0;
        while (matched < 4 && (c = in.read()) >= 0) { // up to the blank line
            head.write(c);
            matched = (c == '\r' || c == '\n') ? (matched + 1) : 0;
        }
        int length = -1;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
            if (lower.startsWith("content-type:")) headers[0] = line.substring(13).trim();
            if (lower.startsWith("connection:")) headers[1] = line.substring(11).trim();
        }
        if (length < 0) throw new IOException("no Content-Length in: " + head);
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** The value of a series without labels, or null. */
    static String value(String page, String name) {
        for (String line : page.split("\n")) {
            if (line.startsWith(name + " ")) return line.substring(name.length() + 1);
        }
        return null;
    }

    /** utime + stime of the process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat, counted after "(comm) "
    }
}
