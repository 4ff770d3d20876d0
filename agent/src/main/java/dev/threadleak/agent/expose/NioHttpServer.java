package dev.threadleak.agent.expose;

import dev.threadleak.agent.config.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.function.Consumer;

/**
 * The HTTP endpoint's server: HTTP/1.1 and 1.0, one request per connection, on one selector thread ({@code threadleak-http})
 * and {@link #WORKERS} render threads ({@code threadleak-http-N}), all the agent's own daemons. Ours rather than the JDK's
 * {@code com.sun.net.httpserver}, whose two workers and unbounded queue let 20 clients sending a byte a second hold a
 * scrape for 18 to 20 s, and 50 for 49 s (bench/RESULTS.md N). What a client may hold here, and for how long:
 * <ul>
 *   <li>one of {@link #MAX_CONNECTIONS} connections: when they are all taken, the oldest that has had its answer, or has
 *       had 100 ms to send its request and not finished, is closed to make room (see {@link #mayAccept});</li>
 *   <li>{@link #REQUEST_TIMEOUT_MS} from accept to send its request line and headers (at most {@link #MAX_HEAD} bytes),
 *       however the bytes trickle in; past it the connection is closed unanswered;</li>
 *   <li>nothing of a worker to be refused: the token and every check that needs no sample are made on the selector
 *       thread ({@link Pages#refuse});</li>
 *   <li>a share of a page: the workers render it once for every request that asks for it meanwhile, and it is served
 *       again for {@link #SHARE_MS} (a crowd of scrapers costs one render); at most {@link #QUEUE} pages wait for a
 *       worker, and a request that would be one more gets 503 and {@code Retry-After} at once;</li>
 *   <li>a page that waits (a delta over the next N seconds, {@link Pages#later}) holds no worker while it waits, and at most
 *       {@link #MAX_LATER} wait at once: one more gets 503 and {@code Retry-After};</li>
 *   <li>{@link #RESPONSE_TIMEOUT_MS} to read its response, written without blocking by the selector thread: a slow
 *       reader never holds a worker.</li>
 * </ul>
 * Memory: at most {@link #MAX_CONNECTIONS} × {@link #MAX_HEAD}, and the pages rendered in the last {@link #SHARE_MS}.
 */
final class NioHttpServer {
    static final int MAX_CONNECTIONS = 64, WORKERS = 2, QUEUE = 32, MAX_LATER = 4;
    /** The request line and headers, in bytes. */
    static final int MAX_HEAD = 8 * 1024;
    /** From accept to the end of the request's headers; then to write the response. */
    static final long REQUEST_TIMEOUT_MS = 2_000, RESPONSE_TIMEOUT_MS = 10_000;
    /**
     * After the response to a client that may still be sending (a body, or a request we refused unread): the connection
     * is half-closed and what the client sends is read and dropped until it closes, for at most this long. Closing with
     * unread bytes would send a reset, which can make the client lose the response it has not read yet.
     */
    static final long LINGER_MS = 1_000;
    /** A response's body is written at most this much at a time: the JDK copies each write into a direct buffer it keeps. */
    private static final int WRITE_CHUNK = 64 * 1024;
    /** Accepting again this long after accept failed (out of file descriptors): the listening socket stays ready meanwhile. */
    private static final long ACCEPT_PAUSE_MS = 100;
    /**
     * A connection still sending its request may be closed for a newcomer once it has had this long: a client sends its
     * request as it connects, so only a slow one is still at it after a round trip.
     */
    private static final long EVICTABLE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A page rendered less than this long ago is served again to requests for it (same sample): /metrics' jvm_threads_* may be this old. */
    static final long SHARE_MS = 1_000;
    static final HttpEndpoint.Response BUSY = HttpEndpoint.Response.text(503, "threadleak: busy, try again").with("Retry-After", "1");

    /** What the server serves. */
    interface Pages {
        /** The answer to a request that needs no page (a bad token, path, method or query), or null. On the selector thread: cheap. */
        HttpEndpoint.Response refuse(Request request);

        /**
         * What names the page a request gets (requests naming one page share it), or null when it is not to be shared.
         * On the selector thread, after {@link #refuse}: cheap.
         */
        String page(Request request);

        /** The page; on a worker. */
        HttpEndpoint.Response render(Request request) throws Exception;

        /**
         * For a page that waits (a delta over the next N seconds): how long, and what renders it then (on a worker); null
         * for a page rendered at once. On the selector thread, after {@link #refuse}: cheap.
         */
        Later later(Request request);
    }

    /** A page rendered {@code delayMs} from now, by {@code page}; never shared with another request. */
    record Later(long delayMs, Callable<HttpEndpoint.Response> page) {}

    /** A page waiting for its time ({@link Pages#later}): the connection waits in {@code page}. */
    private record Waiting(long dueNanos, String path, Shared page, Callable<HttpEndpoint.Response> render) {}

    /**
     * A request: the method and target as sent (the path and query undecoded), the two headers the pages read, and whether
     * it says a body follows (which is never read).
     */
    record Request(String method, String path, String query, String authorization, String accept, boolean body) {}

    /** A request the server answers itself, with one line. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final transient HttpEndpoint.Response response;

        BadRequest(int status, String line) {
            super(line, null, false, false);
            this.response = HttpEndpoint.Response.text(status, line);
        }
    }

    private enum State {
        /** Reading the request line and headers; until {@link #REQUEST_TIMEOUT_MS} after accept. */
        READING,
        /** Queued for a worker, or being rendered: the server's time, not the client's. */
        RENDERING,
        /** Writing the response; until {@link #RESPONSE_TIMEOUT_MS} after it was ready. */
        WRITING,
        /** Answered and half-closed; reading to the client's close, for at most {@link #LINGER_MS}. */
        LINGERING
    }

    private static final class Connection {
        final SocketChannel channel;
        /** Null until the connection has to wait for its client: one answered at once is never registered. */
        SelectionKey key;
        final long acceptedAt;
        State state = State.READING;
        long deadline;
        ByteBuffer in = ByteBuffer.allocate(MAX_HEAD);
        /** How much of {@link #in} holds no end of the head: each read looks only at the bytes it added. */
        int scanned;
        boolean head;
        /** Whether the client may still send after its answer is written (see {@link #LINGER_MS}); else it is closed at once. */
        boolean linger = true;
        /** The response's head and body (a window of it: see {@link #WRITE_CHUNK}); bodyEnd the body's end. */
        ByteBuffer[] out;
        int bodyEnd;

        Connection(SocketChannel channel, long acceptedAt) {
            this.channel = channel;
            this.acceptedAt = acceptedAt;
            this.deadline = acceptedAt + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
        }
    }

    /** A page being rendered, or rendered lately; each request for it while it is rendered waits for it here. */
    private static final class Shared {
        final List<Connection> waiting = new ArrayList<>();
        HttpEndpoint.Response response;
        long renderedAt;
    }

    private record Rendered(Shared page, HttpEndpoint.Response response) {}

    private final Pages pages;
    private final Log log;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey listening;
    private final Thread thread;
    private final ThreadPoolExecutor workers;
    /** Open connections, oldest first. Only the selector thread touches them, and {@link #shared}. */
    private final List<Connection> open = new ArrayList<>();
    /** Pages by name ({@link Pages#page}): being rendered, or rendered in the last {@link #SHARE_MS}. */
    private final Map<String, Shared> shared = new HashMap<>();
    /** Pages waiting for their time, at most {@link #MAX_LATER}. Only the selector thread touches them. */
    private final List<Waiting> later = new ArrayList<>();
    /** Responses the workers have rendered, for the selector thread to write. */
    private final Queue<Rendered> rendered = new ConcurrentLinkedQueue<>();
    /** Shared by every read the selector thread throws away (what a client sends after its request). */
    private final ByteBuffer drain = ByteBuffer.allocate(4096);
    /** After accept failed (out of file descriptors): not before this. */
    private long acceptAgainAt = System.nanoTime();

    /** Binds {@code address} (a port in use throws here); {@link #start} serves. */
    NioHttpServer(InetSocketAddress address, Pages pages, Log log, Consumer<Thread> markAgentThread) throws IOException {
        this.pages = pages;
        this.log = log;
        this.selector = Selector.open();
        ServerSocketChannel l = null;
        try {
            l = ServerSocketChannel.open();
            // the listen queue holds connections this thread has not accepted yet: a flood waits there, in the kernel, in
            // order, rather than being refused; the kernel caps it (net.core.somaxconn, 4096 on Linux 5.4+)
            l.bind(address, 4096);
            l.configureBlocking(false);
            this.listening = l.register(selector, SelectionKey.OP_ACCEPT);
            this.listener = l;
        } catch (IOException | RuntimeException e) {
            if (l != null) l.close(); // a port in use: nothing of ours stays open
            selector.close();
            throw e;
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory daemons = r -> agentThread(markAgentThread, r, "threadleak-http-" + n.incrementAndGet());
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), daemons);
        this.thread = agentThread(markAgentThread, this::loop, "threadleak-http");
    }

    /** The address bound: the port the system chose when asked for port 0. */
    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    /** A daemon thread of the agent's, marked as such before it starts (so no sample ever takes it for the application's). */
    private static Thread agentThread(Consumer<Thread> markAgentThread, Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        markAgentThread.accept(t);
        return t;
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (true) {
            try {
                long now = System.nanoTime();
                renderDue(now);
                long timeout = closeOverdue(now);
                listening.interestOps(now - acceptAgainAt >= 0 && mayAccept(now) ? SelectionKey.OP_ACCEPT : 0);
                selector.select(this::ready, timeout);
                for (Rendered r; (r = rendered.poll()) != null; ) deliver(r.page(), r.response());
            } catch (Throwable t) {
                // never let the endpoint's thread die: whatever it was (out of memory), the next round may go better
                log.warnOnce("http", "HTTP endpoint failed: " + t);
            }
        }
    }

    /**
     * Closes the connections past their deadline; the milliseconds to the next thing to do: a deadline, accepting
     * again, or (every place taken) a connection becoming {@link #evictable}.
     */
    private long closeOverdue(long now) {
        long next = now + TimeUnit.SECONDS.toNanos(1);
        if (acceptAgainAt - now > 0) next = acceptAgainAt;
        for (Waiting w : later) {
            if (w.dueNanos() - next < 0) next = w.dueNanos();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            Connection c = open.get(i);
            if (c.state == State.RENDERING) continue; // no deadline: bounded by the queue, not by the client
            if (now - c.deadline >= 0) {
                close(c); // a request never finished, a response never read: closed unanswered
                continue;
            }
            long at = c.deadline;
            if (c.state == State.READING && open.size() >= MAX_CONNECTIONS && now - c.acceptedAt < EVICTABLE_AFTER_NANOS) {
                at = c.acceptedAt + EVICTABLE_AFTER_NANOS;
            }
            if (at - next < 0) next = at;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(next - now + 999_999));
    }

    private void ready(SelectionKey key) {
        if (key == listening) {
            accept();
            return;
        }
        Connection c = (Connection) key.attachment();
        if (!key.isValid()) return; // closed earlier in this round (made room for another)
        try {
            if (c.state == State.READING) read(c);
            else if (c.state == State.WRITING) write(c);
            else if (c.state == State.LINGERING && c.channel.read(drain.clear()) < 0) close(c);
        } catch (IOException gone) {
            close(c); // the client reset or closed: nothing to tell anyone
        } catch (Throwable t) {
            close(c);
            log.warnOnce("http", "HTTP endpoint failed: " + t);
        }
    }

    /**
     * Accepts the connections waiting, each read at once: a client that sent its request with its connect is served
     * without waiting. When every place is taken, one is made by closing the connection {@link #evictable} names.
     */
    private void accept() {
        for (int accepted = 0; accepted < MAX_CONNECTIONS; accepted++) { // then reads and writes get their turn
            long now = System.nanoTime();
            if (!mayAccept(now)) return;
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                // out of file descriptors, most likely; the listener stays ready, so pause rather than spin
                log.warnOnce("http-accept", "HTTP endpoint cannot accept connections for now: " + e);
                acceptAgainAt = now + TimeUnit.MILLISECONDS.toNanos(ACCEPT_PAUSE_MS);
                return;
            }
            if (channel == null) return;
            log.clear("http-accept");
            try {
                // no TCP_NODELAY: a response is one write, and the close (or half-close) after it sends it whatever Nagle says
                channel.configureBlocking(false);
                if (open.size() >= MAX_CONNECTIONS) {
                    Connection victim = evictable(now);
                    if (victim == null) {
                        refuseAtOnce(channel);
                        continue;
                    }
                    close(victim);
                }
                Connection c = new Connection(channel, now);
                open.add(c);
                read(c);
            } catch (IOException gone) {
                closeQuietly(channel);
            }
        }
    }

    /**
     * Whether to take the next connection waiting: yes while there is a place or one to make ({@link #evictable}); when
     * there is none but one will be soon (a connection has not had its {@link #EVICTABLE_AFTER_NANOS} to send its request,
     * or is being rendered), the newcomers wait in the kernel's queue, in order; when every connection is being written
     * to, which can take {@link #RESPONSE_TIMEOUT_MS}, the next one is taken to be answered 503 at once.
     */
    private boolean mayAccept(long now) {
        if (open.size() < MAX_CONNECTIONS || evictable(now) != null) return true;
        for (Connection c : open) {
            if (c.state == State.READING || c.state == State.RENDERING) return false;
        }
        return true;
    }

    /**
     * The connection to close for a newcomer: the oldest that has had its answer, or has been sending its request for
     * {@link #EVICTABLE_AFTER_NANOS} without finishing it (a slow client's: its deadline runs from accept and every byte
     * it trickles leaves it the oldest), or null.
     */
    private Connection evictable(long now) {
        for (Connection c : open) {
            if (c.state == State.LINGERING || (c.state == State.READING && now - c.acceptedAt >= EVICTABLE_AFTER_NANOS)) return c;
        }
        return null;
    }

    /** 503 to a connection there is no room for: one write, which a new socket's buffer takes whole, and close. */
    private void refuseAtOnce(SocketChannel channel) {
        try {
            channel.read(drain.clear()); // what the client sent already: unread, it would turn the close into a reset
            channel.write(new ByteBuffer[] {ByteBuffer.wrap(head(BUSY, BUSY.body().length)), ByteBuffer.wrap(BUSY.body())});
            channel.shutdownOutput();
        } catch (IOException gone) {
            // nothing to tell anyone
        }
        closeQuietly(channel);
    }

    private void read(Connection c) throws IOException {
        int n = c.channel.read(c.in);
        if (n < 0) {
            close(c); // the client gave up
            return;
        }
        int end = endOfHead(c.in.array(), c.scanned, c.in.position());
        c.scanned = c.in.position();
        if (end < 0) {
            if (!c.in.hasRemaining()) respond(c, HttpEndpoint.Response.text(431, "threadleak: request line and headers over " + MAX_HEAD + " bytes"));
            else interest(c, SelectionKey.OP_READ);
            return;
        }
        Request request;
        try {
            request = parse(c.in.array(), end);
        } catch (BadRequest bad) {
            respond(c, bad.response);
            return;
        }
        c.linger = request.body() || c.in.position() > end; // a body, if any, is never read: one request per connection
        c.in = null;
        c.head = request.method().equals("HEAD");
        HttpEndpoint.Response refused = pages.refuse(request);
        if (refused != null) {
            respond(c, refused);
            return;
        }
        Later wait = pages.later(request);
        if (wait != null) {
            if (later.size() >= MAX_LATER) {
                respond(c, BUSY);
                return;
            }
            c.state = State.RENDERING;
            interest(c, 0);
            Shared page = new Shared();
            page.waiting.add(c);
            later.add(new Waiting(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait.delayMs()), request.path(), page, wait.page()));
            return;
        }
        String name = pages.page(request);
        Shared page = name == null ? null : shared.get(name);
        if (page != null && page.response != null && System.nanoTime() - page.renderedAt < TimeUnit.MILLISECONDS.toNanos(SHARE_MS)) {
            respond(c, page.response);
            return;
        }
        c.state = State.RENDERING;
        interest(c, 0);
        if (page != null && page.response == null) {
            page.waiting.add(c); // being rendered for another request
            return;
        }
        Shared rendering = new Shared();
        rendering.waiting.add(c);
        try {
            workers.execute(() -> {
                rendered.add(new Rendered(rendering, render(request.path(), () -> pages.render(request))));
                selector.wakeup(); // after the add: the selector thread looks at the queue when it wakes
            });
        } catch (RejectedExecutionException full) {
            respond(c, BUSY);
            return;
        }
        if (name != null) shared.put(name, rendering);
    }

    /** Hands the waiting pages whose time has come to the workers (on the selector thread). */
    private void renderDue(long now) {
        for (int i = later.size() - 1; i >= 0; i--) {
            Waiting w = later.get(i);
            if (w.dueNanos() - now > 0) continue;
            later.remove(i);
            try {
                workers.execute(() -> {
                    rendered.add(new Rendered(w.page(), render(w.path(), w.render())));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException full) {
                deliver(w.page(), BUSY);
            }
        }
    }

    /** A page is rendered (on the selector thread): every request waiting for it gets it, and pages past their time go. */
    private void deliver(Shared page, HttpEndpoint.Response response) {
        long now = System.nanoTime();
        page.response = response;
        page.renderedAt = now;
        for (Connection c : page.waiting) {
            try {
                respond(c, response);
            } catch (IOException gone) {
                close(c); // the client left while its page was rendered
            }
        }
        page.waiting.clear();
        shared.values().removeIf(p -> p.response != null && now - p.renderedAt >= TimeUnit.MILLISECONDS.toNanos(SHARE_MS));
    }

    /** On a worker: the page, or a 500 line when rendering failed (said once on stderr). */
    private HttpEndpoint.Response render(String path, Callable<HttpEndpoint.Response> page) {
        try {
            return page.call();
        } catch (Throwable t) {
            log.warnOnce("http", "HTTP endpoint failed serving " + HttpEndpoint.printable(path) + ": " + t);
            return HttpEndpoint.Response.text(500, "threadleak: internal error (see the application's stderr)");
        }
    }

    /** Starts writing {@code r} (on the selector thread). */
    private void respond(Connection c, HttpEndpoint.Response r) throws IOException {
        int length = r.body().length;
        c.out = new ByteBuffer[] {ByteBuffer.wrap(head(r, length)), ByteBuffer.wrap(r.body(), 0, c.head ? 0 : length)};
        c.bodyEnd = c.head ? 0 : length;
        c.state = State.WRITING;
        c.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESPONSE_TIMEOUT_MS);
        c.in = null;
        write(c);
    }

    private void write(Connection c) throws IOException {
        ByteBuffer head = c.out[0], body = c.out[1];
        while (true) {
            body.limit(Math.min(c.bodyEnd, body.position() + WRITE_CHUNK));
            long n = c.channel.write(c.out);
            if (!head.hasRemaining() && body.position() == c.bodyEnd) {
                if (!c.linger) {
                    close(c);
                    return;
                }
                c.channel.shutdownOutput();
                c.out = null;
                c.state = State.LINGERING;
                c.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
                interest(c, SelectionKey.OP_READ);
                return;
            }
            if (n == 0) {
                interest(c, SelectionKey.OP_WRITE); // the client's window is full: on when it reads
                return;
            }
        }
    }

    /** What the connection waits for (0: nothing, being rendered), registering it the first time it waits. */
    private void interest(Connection c, int ops) throws IOException {
        if (c.key != null) c.key.interestOps(ops);
        else if (ops != 0) c.key = c.channel.register(selector, ops, c);
    }

    private void close(Connection c) {
        open.remove(c);
        if (c.key != null) c.key.cancel();
        closeQuietly(c.channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closed either way
        }
    }

    /** The status line and headers; every response closes its connection. */
    private static byte[] head(HttpEndpoint.Response r, int length) {
        StringBuilder h = new StringBuilder(160).append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n")
                .append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n")
                .append("Content-Type: ").append(r.contentType()).append("\r\n")
                .append("Content-Length: ").append(length).append("\r\n");
        if (r.header() != null) h.append(r.header()).append(": ").append(r.headerValue()).append("\r\n");
        return h.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    /**
     * The length of the request head in {@code b} (up to and with its blank line, CRLF or a bare LF), or -1 while it is not
     * all in; {@code from}: bytes before it hold no end.
     */
    static int endOfHead(byte[] b, int from, int to) {
        for (int i = Math.max(1, from); i < to; i++) {
            if (b[i] != '\n') continue;
            if (b[i - 1] == '\n') return i + 1;
            if (b[i - 1] == '\r' && i >= 2 && b[i - 2] == '\n') return i + 1;
        }
        return -1;
    }

    private static final Pattern LINE_END = Pattern.compile("\r?\n");

    /**
     * Reads a request head strictly: {@code METHOD SP origin-form SP HTTP/1.x}, then {@code name: value} lines. The target
     * must be a path ({@code /metrics?x}); {@code //metrics} is one, which no page has. Anything else is one line of 400
     * (505 for another HTTP version).
     */
    static Request parse(byte[] bytes, int length) throws BadRequest {
        String[] lines = LINE_END.split(new String(bytes, 0, length, StandardCharsets.ISO_8859_1), -1);
        String line = lines[0];
        int sp1 = line.indexOf(' '), sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || !isToken(line, 0, sp1)) {
            throw new BadRequest(400, "threadleak: malformed request line '" + HttpEndpoint.printable(line) + "' (expected: GET /metrics HTTP/1.1)");
        }
        String method = line.substring(0, sp1), target = line.substring(sp1 + 1, sp2), version = line.substring(sp2 + 1);
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            if (version.matches("HTTP/[0-9]\\.[0-9]")) throw new BadRequest(505, "threadleak: " + version + " is not served (HTTP/1.1 and HTTP/1.0 are)");
            throw new BadRequest(400, "threadleak: malformed request line '" + HttpEndpoint.printable(line) + "' (expected: GET /metrics HTTP/1.1)");
        }
        if (!target.startsWith("/") || !visible(target)) {
            throw new BadRequest(400, "threadleak: bad request target '" + HttpEndpoint.printable(target) + "' (a path, such as /metrics)");
        }
        String authorization = null, accept = null;
        boolean body = false;
        for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
            String header = lines[i];
            int colon = header.indexOf(':');
            if (colon <= 0 || !isToken(header, 0, colon)) {
                throw new BadRequest(400, "threadleak: malformed header line '" + HttpEndpoint.printable(header) + "' (expected: Name: value)");
            }
            String name = header.substring(0, colon).toLowerCase(Locale.ROOT), value = header.substring(colon + 1).strip();
            if (authorization == null && name.equals("authorization")) authorization = value;
            if (accept == null && name.equals("accept")) accept = value;
            if ((name.equals("content-length") && !value.equals("0")) || name.equals("transfer-encoding")) body = true;
        }
        int query = target.indexOf('?');
        return new Request(method, query < 0 ? target : target.substring(0, query), query < 0 ? null : target.substring(query + 1), authorization, accept, body);
    }

    /** RFC 9110's token: the characters of a method or a header's name. */
    private static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) return false;
        }
        return to > from;
    }

    /** Visible ASCII only: a request target has no space, control character or raw non-ASCII byte. */
    private static boolean visible(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) <= ' ' || s.charAt(i) >= 0x7f) return false;
        }
        return true;
    }
}
