package dev.threadleak.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * HTTP clients that misbehave, and one that does not, for the endpoint's tests; raw sockets, so no client library
 * hides what the server does. The same attack as {@code bench/.../HttpAttackBench} (RESULTS section N).
 */
final class HttpAttack {
    private HttpAttack() {}

    /** A GET's answer: its status ("200", or what went wrong) and how long it took from connect to the last byte. */
    record Answer(String status, double ms) {}

    /** {@code request} on a new connection, read to the end (the server closes every connection): the whole response. */
    static String exchange(InetSocketAddress address, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 10_000);
            s.setSoTimeout(10_000); // a scrape of the old server under attack took 18 to 49 s: fail, do not wait for it
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@code GET /metrics}, as a scraper sends it (with the token when there is one). */
    static Answer scrape(InetSocketAddress address, String token) {
        long t0 = System.nanoTime();
        String status;
        try {
            String response = exchange(address, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
            status = response.startsWith("HTTP/1.1 ") && response.length() >= 12 ? response.substring(9, 12) : "no status line";
        } catch (IOException e) {
            status = e.toString();
        }
        return new Answer(status, (System.nanoTime() - t0) / 1e6);
    }

    /** A normal scraper: {@code GET /metrics} every {@code pause} after the last answer, for {@code total}; its answers. */
    static List<Answer> scrapeEvery(Duration pause, Duration total, InetSocketAddress address, String token) throws InterruptedException {
        List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        long end = System.nanoTime() + total.toNanos();
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            pace.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - end >= 0) done.countDown();
                else answers.add(scrape(address, token));
            }, 0, pause.toMillis(), TimeUnit.MILLISECONDS);
            if (!done.await(total.toSeconds() + 30, TimeUnit.SECONDS)) throw new AssertionError("the scraper did not finish");
        } finally {
            pace.shutdownNow();
        }
        return new ArrayList<>(answers);
    }

    /** The {@code p}-quantile (0.99) of the answers' times, in ms: the nearest rank of the sorted times. */
    static double quantile(List<Answer> answers, double p) {
        if (answers.isEmpty()) throw new AssertionError("no answers to take a quantile of");
        double[] sortedMs = answers.stream().mapToDouble(Answer::ms).sorted().toArray();
        return sortedMs[Math.min(sortedMs.length - 1, (int) Math.ceil(p * sortedMs.length) - 1)];
    }

    /**
     * Connections that send a request one byte a second and never finish it; each the server closes is opened again at
     * the next second, so there are always {@code n}.
     */
    static final class Slowloris implements AutoCloseable {
        private static final byte[] REQUEST = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        private final InetSocketAddress address;
        private final SocketChannel[] channels;
        private final int[] sent;
        private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        private volatile int opened;

        /** Opens the {@code n} connections, each with its first byte sent, then sends the next bytes every second. */
        Slowloris(InetSocketAddress address, int n) {
            this.address = address;
            this.channels = new SocketChannel[n];
            this.sent = new int[n];
            tick();
            clock.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }

        /** Connections opened so far: {@code n} at first, one more for each the server closed. */
        int opened() {
            return opened;
        }

        private synchronized void tick() {
            ByteBuffer scratch = ByteBuffer.allocate(4096);
            for (int i = 0; i < channels.length; i++) {
                try {
                    SocketChannel ch = channels[i];
                    if (ch == null) {
                        ch = channels[i] = SocketChannel.open(address);
                        ch.configureBlocking(false);
                        sent[i] = 0;
                        opened++;
                    } else if (ch.read(scratch.clear()) < 0) {
                        throw new IOException("closed by the server");
                    }
                    ch.write(ByteBuffer.wrap(new byte[] {sent[i] < REQUEST.length ? REQUEST[sent[i]] : (byte) 'a'}));
                    sent[i]++;
                } catch (IOException closed) {
                    closeQuietly(channels[i]);
                    channels[i] = null;
                }
            }
        }

        @Override
        public synchronized void close() {
            clock.shutdownNow();
            for (SocketChannel ch : channels) closeQuietly(ch);
        }
    }

    /**
     * {@code n} clients sending {@code GET /metrics} at once, each on a new connection, and each again {@code pause} after
     * its answer (with no pause, {@code n} requests are kept in flight); on one thread with non-blocking sockets, until
     * stopped. Counts the statuses of the answers.
     */
    static final class Flood implements AutoCloseable {
        private static final byte[] REQUEST = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        private final InetSocketAddress address;
        private final long pauseNanos;
        /** When each client answered is to send again, soonest first (one pause for all: the order of the answers). */
        private final ArrayDeque<Long> again = new ArrayDeque<>();
        private final Thread thread;
        private final Map<String, Integer> statuses = new TreeMap<>();
        private volatile boolean running = true;
        private IOException failed;

        Flood(InetSocketAddress address, int n, Duration pause) {
            this.address = address;
            this.pauseNanos = pause.toNanos();
            this.thread = new Thread(() -> run(n), "flood");
            thread.start();
        }

        private void run(int n) {
            ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < n; i++) open(selector);
                while (running) {
                    long now = System.nanoTime();
                    while (!again.isEmpty() && now - again.peekFirst() >= 0) {
                        again.removeFirst();
                        open(selector);
                    }
                    long wait = again.isEmpty() ? 100 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(again.peekFirst() - now));
                    selector.select(key -> {
                        SocketChannel ch = (SocketChannel) key.channel();
                        StringBuilder status = (StringBuilder) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                ch.finishConnect();
                                ch.write(ByteBuffer.wrap(REQUEST)); // 40 bytes: a new socket takes them whole
                                key.interestOps(SelectionKey.OP_READ);
                                return;
                            }
                            int read = ch.read(scratch.clear());
                            for (int i = 0; i < read && status.length() < 12; i++) status.append((char) scratch.get(i));
                            if (read >= 0) return;
                            statuses.merge(status.length() == 12 ? status.substring(9) : "cut, no status", 1, Integer::sum);
                        } catch (IOException e) {
                            statuses.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                        }
                        try {
                            ch.close();
                            if (pauseNanos == 0) open(selector);
                            else again.addLast(System.nanoTime() + pauseNanos);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, Math.min(wait, 100));
                }
                for (SelectionKey key : selector.keys()) key.channel().close();
            } catch (IOException | RuntimeException e) {
                failed = e instanceof IOException io ? io : new IOException(e);
            }
        }

        private void open(Selector selector) throws IOException {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.connect(address);
            ch.register(selector, SelectionKey.OP_CONNECT, new StringBuilder());
        }

        /** Stops, closes every connection, and returns the answers' statuses and how many had each. */
        Map<String, Integer> stop() throws IOException, InterruptedException {
            running = false;
            thread.join();
            if (failed != null) throw failed;
            return statuses;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }
}
