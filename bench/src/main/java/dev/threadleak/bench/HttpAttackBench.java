package dev.threadleak.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A normal scrape of {@code /metrics} while clients misbehave (issue 23, item 2): a child JVM (idle, under the agent
 * with {@code http=}) is hit by {@code --slow} slowloris connections (each sends its request one byte a second and never
 * finishes; one the server closes is opened again at the next second) and, with {@code --flood N}, N requests kept in
 * flight at all times (each a new connection; a finished one is replaced at once; with {@code --pause ms}, N clients
 * that send at once and each again that long after its answer, as it/HttpAttackIT's crowd). Meanwhile one "normal scraper" sends
 * {@code GET /metrics} on a new connection every 50 ms (after the previous answer), for {@code --seconds}; this prints
 * its latency (connect to last byte) and statuses, and what the attackers got.
 * With {@code --token}, the child requires a token: the scraper sends it, the attackers do not.
 *
 * <pre>java -cp target/benchmarks.jar dev.threadleak.bench.HttpAttackBench --agent ../agent/target/threadleak-agent.jar
 *      [--java .../bin/java] [--slow 50] [--flood 2000 [--pause 1000]] [--seconds 10] [--token] [--port 19466] [--child-option -XX:...]</pre>
 */
public final class HttpAttackBench {
    private static final byte[] SLOW_REQUEST = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);

    private HttpAttackBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Args.parse(args);
        if (a.containsKey("idle")) {
            Thread.sleep(Long.MAX_VALUE);
            return;
        }
        String java = a.getOrDefault("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int slow = Integer.parseInt(a.getOrDefault("slow", "50")), flood = Integer.parseInt(a.getOrDefault("flood", "0"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10")), port = Integer.parseInt(a.getOrDefault("port", "19466"));
        long pauseMs = Long.parseLong(a.getOrDefault("pause", "0"));
        String agent = Path.of(Args.require(a, "agent")).toAbsolutePath().toString();
        String options = "interval=0,http=" + port;
        String token = null;
        Path tokenDir = null;
        if (a.containsKey("token")) {
            token = "bench-" + System.nanoTime();
            tokenDir = Files.createTempDirectory("tl-attack-");
            options += ",token=" + Files.writeString(tokenDir.resolve("token"), token);
        }
        List<String> command = new ArrayList<>(List.of(java));
        if (a.containsKey("child-option")) command.add(a.get("child-option")); // e.g. -XX:StartFlightRecording=...
        command.addAll(List.of("-javaagent:" + agent + "=" + options, "-cp", System.getProperty("java.class.path"), HttpAttackBench.class.getName(), "--idle"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(1);
        try {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            awaitFirstSample(address, token, child);
            System.out.printf("%s %s, agent %s, %d slowloris, %d %s%s, %d s; load average %s%n", Instant.now(), java, agent, slow, flood,
                    pauseMs == 0 ? "in flight" : "clients each sending again " + pauseMs + " ms after its answer",
                    token == null ? "" : ", token required (the scraper has it, the attackers do not)", seconds,
                    Files.readString(Path.of("/proc/loadavg")).trim());
            long cpuBefore = cpuTicks(child.pid()), began = System.nanoTime();
            Slowloris slowloris = new Slowloris(address, slow);
            slowloris.tick(); // every slow connection open and started before the scraper's first GET
            clock.scheduleAtFixedRate(slowloris::tick, 1, 1, TimeUnit.SECONDS);
            Flood flooding = new Flood(address, flood, TimeUnit.MILLISECONDS.toNanos(pauseMs));
            Thread floodThread = new Thread(flooding, "flood");
            floodThread.start();
            List<Double> ms = new ArrayList<>();
            Map<String, Integer> statuses = new TreeMap<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                String status;
                try {
                    status = scrape(address, token);
                } catch (IOException e) {
                    status = e.getClass().getSimpleName();
                }
                ms.add((System.nanoTime() - t0) / 1e6);
                statuses.merge(status, 1, Integer::sum);
                Thread.sleep(50); // the scraper's pace, not a wait for anything
            }
            flooding.stop();
            floodThread.join();
            double wall = (System.nanoTime() - began) / 1e9, cpu = (cpuTicks(child.pid()) - cpuBefore) / 100.0; // USER_HZ
            int answered = flooding.answered() + ms.size();
            double[] sorted = Stats.unboxed(ms);
            Arrays.sort(sorted);
            System.out.printf("  scraper: %d GETs, statuses %s; ms: median %.1f  p90 %.1f  p99 %.1f  max %.1f%n", sorted.length, statuses,
                    percentile(sorted, 0.5), percentile(sorted, 0.9), percentile(sorted, 0.99), sorted[sorted.length - 1]);
            System.out.printf("  slowloris: %d connections opened in all (each one the server closes is opened again)%n", slowloris.opened);
            if (flood > 0) System.out.printf("  flood: %d answered %s, %d failed%n", flooding.answered(), flooding.statuses, flooding.failed);
            System.out.printf("  child: %.1f s of CPU in %.1f s (%.0f %% of a core), %.0f µs per answer; %.0f answers/s%n", cpu, wall, 100 * cpu / wall,
                    1e6 * cpu / Math.max(1, answered), answered / wall);
        } finally {
            clock.shutdownNow();
            child.destroy(); // SIGTERM: a flight recording given by --child-option is written as the JVM exits
            if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly();
            child.waitFor();
            if (tokenDir != null) {
                Files.deleteIfExists(tokenDir.resolve("token"));
                Files.deleteIfExists(tokenDir);
            }
        }
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readAllLines(Path.of("/proc", String.valueOf(pid), "stat")).get(0);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat, counted after "(comm) "
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    /** Polls /metrics (up to a minute) until it answers 200: the agent has taken its first sample. */
    private static void awaitFirstSample(InetSocketAddress address, String token, Process child) throws Exception {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < end && child.isAlive()) {
            try {
                if (scrape(address, token).equals("200")) return;
            } catch (IOException notYet) {
                // the endpoint starts about a second after the JVM
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the child's /metrics never answered 200");
    }

    /** One {@code GET /metrics} on a new connection, read to its end; the status code. */
    static String scrape(InetSocketAddress address, String token) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 60_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all); // every answer closes its connection
            String text = all.toString(StandardCharsets.ISO_8859_1);
            return text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? text.substring(9, 12) : "no status line";
        }
    }

    /** Connections that send a request one byte a second and never finish it; one the server closes is opened again. */
    static final class Slowloris {
        private final InetSocketAddress address;
        private final SocketChannel[] channels;
        private final int[] sent;
        volatile int opened;

        Slowloris(InetSocketAddress address, int n) {
            this.address = address;
            this.channels = new SocketChannel[n];
            this.sent = new int[n];
        }

        /** Every second: each connection still open gets its next byte; each closed one is opened again. */
        void tick() {
            ByteBuffer scratch = ByteBuffer.allocate(4096);
            for (int i = 0; i < channels.length; i++) {
                try {
                    SocketChannel ch = channels[i];
                    if (ch != null) {
                        scratch.clear();
                        if (ch.read(scratch) < 0) throw new IOException("closed by the server");
                    } else {
                        ch = channels[i] = SocketChannel.open(address);
                        ch.configureBlocking(false);
                        sent[i] = 0;
                        opened++;
                    }
                    byte next = sent[i] < SLOW_REQUEST.length ? SLOW_REQUEST[sent[i]] : (byte) 'a';
                    ch.write(ByteBuffer.wrap(new byte[] {next}));
                    sent[i]++;
                } catch (IOException closed) {
                    close(i);
                }
            }
        }

        private void close(int i) {
            try {
                if (channels[i] != null) channels[i].close();
            } catch (IOException ignored) {
                // gone either way
            }
            channels[i] = null;
        }
    }

    /**
     * N clients sending GET /metrics, each on a new connection, again at once (or {@code pauseNanos} after) its answer,
     * until stopped; counts what they got.
     */
    static final class Flood implements Runnable {
        private static final byte[] REQUEST = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private final InetSocketAddress address;
        private final int inFlight;
        private final long pauseNanos;
        /** When each client answered is to send again, soonest first. */
        private final java.util.ArrayDeque<Long> again = new java.util.ArrayDeque<>();
        private volatile boolean running = true;
        final Map<String, Integer> statuses = new TreeMap<>();
        int failed;

        Flood(InetSocketAddress address, int inFlight, long pauseNanos) {
            this.address = address;
            this.inFlight = inFlight;
            this.pauseNanos = pauseNanos;
        }

        void stop() {
            running = false;
        }

        int answered() {
            return statuses.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public void run() {
            if (inFlight == 0) return;
            ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < inFlight; i++) open(selector);
                while (running) {
                    long now = System.nanoTime();
                    while (!again.isEmpty() && now - again.peekFirst() >= 0) {
                        again.removeFirst();
                        open(selector);
                    }
                    selector.select(again.isEmpty() ? 100 : Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(again.peekFirst() - now))));
                    for (SelectionKey key : selector.selectedKeys()) {
                        SocketChannel ch = (SocketChannel) key.channel();
                        try {
                            if (key.isConnectable()) {
                                ch.finishConnect();
                                ch.write(ByteBuffer.wrap(REQUEST)); // 40 bytes: a new socket takes them at once
                                key.interestOps(SelectionKey.OP_READ);
                            } else if (key.isReadable()) {
                                scratch.clear();
                                int n = ch.read(scratch);
                                StringBuilder status = (StringBuilder) key.attachment();
                                for (int i = 0; i < n && status.length() < 12; i++) status.append((char) scratch.get(i));
                                if (n < 0) {
                                    statuses.merge(status.length() >= 12 ? status.substring(9, 12) : "no status line", 1, Integer::sum);
                                    ch.close();
                                    reopen(selector);
                                }
                            }
                        } catch (IOException e) {
                            failed++;
                            ch.close();
                            reopen(selector);
                        }
                    }
                    selector.selectedKeys().clear();
                }
                for (SelectionKey key : selector.keys()) key.channel().close();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private void reopen(Selector selector) throws IOException {
            if (pauseNanos == 0) open(selector);
            else again.addLast(System.nanoTime() + pauseNanos);
        }

        private void open(Selector selector) throws IOException {
            if (!running) return;
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(address);
            ch.register(selector, SelectionKey.OP_CONNECT, new StringBuilder());
        }
    }
}
