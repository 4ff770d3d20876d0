package dev.threadleak.agent.expose;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.threadleak.agent.config.HealthLimits;
import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The opt-in HTTP endpoint ({@code http=} option): {@code /metrics} (Prometheus text or OpenMetrics), {@code /health}
 * (JSON, 503 while a DEADLOCK finding is open, a SITE_GROWTH finding has held for {@link #HEALTH_SAMPLES} samples, or a
 * {@link HealthLimits} threshold is crossed),
 * {@code /debug/threads} (the text report; {@code ?debug=2}: every thread) and {@code /debug/threads.json} (a dump).
 * Every page reads the latest sample: a request never samples, so a scrape never walks stacks and never changes what
 * findings see. The JDK's HttpServer runs on the agent's own daemon threads: its dispatcher and {@link #WORKERS}
 * workers. A client that takes longer than {@link #REQUEST_TIMEOUT_MS} to send its request, or
 * {@link #RESPONSE_TIMEOUT_MS} to read the response, is interrupted, which closes its connection: a slow client holds
 * a worker for seconds, never the agent or the application.
 */
public final class HttpEndpoint {
    static final int WORKERS = 2;
    /** How long a client may take to send its request line and headers, and then to read the response. */
    static final long REQUEST_TIMEOUT_MS = 2_000, RESPONSE_TIMEOUT_MS = 10_000;
    private static final String METRICS = "/metrics", HEALTH = "/health", THREADS = "/debug/threads", THREADS_JSON = "/debug/threads.json",
            GOROUTINE = "/debug/pprof/goroutine";
    private static final List<String> PATHS = List.of(METRICS, HEALTH, THREADS, THREADS_JSON, GOROUTINE);
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final ThreadMXBean THREADS_MX = ManagementFactory.getThreadMXBean();

    /** What the pages read: the latest sample (never a new one), and the agent's own cost. */
    public interface Source {
        /** The last snapshot taken, or null before the first. */
        Snapshot last();

        AgentCost cost();
    }

    private final Source source;
    private final byte[] bearer;
    private final int threadsListed;
    private final HealthLimits healthLimits;
    private final Log log;
    private final Workers workers;
    private final HttpServer server;

    private HttpEndpoint(Source source, String token, int threadsListed, HealthLimits healthLimits, Log log, Consumer<Thread> markAgentThread,
                         InetSocketAddress address) throws IOException {
        this.source = source;
        this.bearer = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.threadsListed = threadsListed;
        this.healthLimits = healthLimits;
        this.log = log;
        this.workers = new Workers(markAgentThread);
        this.server = HttpServer.create(address, 16);
        server.createContext("/", this::serve);
        server.setExecutor(workers);
    }

    /**
     * Starts the endpoint (from the agent's own daemon thread: the server's threads inherit daemon); its workers are
     * handed to {@code markAgentThread} before they start. Returns null after one warning line when it cannot start.
     * The threads the JDK's server starts on the calling thread (its timers and dispatcher) are the caller's to mark.
     */
    public static HttpEndpoint start(Source source, InetSocketAddress address, String token, int threadsListed, HealthLimits healthLimits, Log log,
                                     Consumer<Thread> markAgentThread) {
        try {
            HttpEndpoint endpoint = new HttpEndpoint(source, token, threadsListed, healthLimits, log, markAgentThread, address);
            endpoint.server.start();
            if (!address.getAddress().isLoopbackAddress()) {
                log.warn("HTTP endpoint on " + show(address) + " is reachable beyond this host: whoever reaches it reads thread names and stacks"
                        + (token == null ? " (set token=<file> to require a token, or listen on 127.0.0.1)" : " (with the token)"));
            }
            return endpoint;
        } catch (Throwable t) {
            log.warn("cannot start the HTTP endpoint on " + show(address) + ": " + t + "; /metrics, /health and /debug/threads are off");
            return null;
        }
    }

    /** {@code 127.0.0.1:9464}, {@code [::1]:9464}: the address as the {@code http} option writes it. */
    static String show(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Interrupts requests past their deadline (their connection closes); called by the agent's loop. */
    public void interruptSlowRequests() {
        workers.interruptSlow(System.nanoTime());
    }

    /** A response: status, content type, body (the body of a 4xx or 5xx is one line). */
    record Response(int status, String contentType, byte[] body, String header, String headerValue) {
        static Response text(int status, String line) {
            return new Response(status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8), null, null);
        }

        Response with(String name, String value) {
            return new Response(status, contentType, body, name, value);
        }
    }

    private void serve(HttpExchange exchange) {
        workers.deadline(RESPONSE_TIMEOUT_MS); // the request is in: from now on the client has to read the response
        try {
            Response r;
            try {
                r = respond(exchange.getRequestMethod(), exchange.getRequestURI(), exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Accept"));
            } catch (Throwable t) {
                log.warnOnce("http", "HTTP endpoint failed serving " + exchange.getRequestURI().getRawPath() + ": " + t);
                r = Response.text(500, "threadleak: internal error (see the application's stderr)");
            }
            if (r.header() != null) exchange.getResponseHeaders().set(r.header(), r.headerValue());
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            // one request per connection: JDK 17's server sends the headers and the body in two TCP segments, and on a
            // kept-alive connection the client's delayed ACK then holds the body back for 40 ms (bench/RESULTS.md G)
            exchange.getResponseHeaders().set("Connection", "close");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(r.status(), head ? -1 : r.body().length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                }
            }
        } catch (IOException clientGone) {
            // the client closed the connection, or was too slow and interrupted: nothing to tell anyone
        } catch (Throwable t) {
            log.warnOnce("http", "HTTP endpoint failed: " + t);
        } finally {
            exchange.close();
        }
    }

    Response respond(String method, URI uri, String authorization, String accept) throws IOException {
        if (bearer != null && (authorization == null || !MessageDigest.isEqual(bearer, authorization.getBytes(StandardCharsets.UTF_8)))) {
            return Response.text(401, "threadleak: this endpoint needs 'Authorization: Bearer <token>' (the token file given by the token option)")
                    .with("WWW-Authenticate", "Bearer realm=\"threadleak\"");
        }
        String path = uri.getRawPath();
        if (!PATHS.contains(path)) return Response.text(404, "threadleak: no page '" + printable(path) + "' (pages: " + String.join(", ", PATHS) + ")");
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Response.text(405, "threadleak: " + path + " answers GET and HEAD, not " + printable(method)).with("Allow", "GET, HEAD");
        }
        String query = uri.getRawQuery();
        int debug = 0;
        if (path.equals(THREADS)) {
            debug = query == null || query.equals("debug=1") ? 1 : query.equals("debug=2") ? 2 : 0;
            if (debug == 0) return Response.text(400, "threadleak: bad query '" + printable(query) + "' (" + THREADS + " takes debug=1, grouped, or debug=2, every thread)");
        } else if (path.equals(GOROUTINE)) {
            // as Go's: the pprof profile, or with debug=1 or 2 the same text as /debug/threads
            debug = query == null || query.equals("debug=0") ? 0 : query.equals("debug=1") ? 1 : query.equals("debug=2") ? 2 : -1;
            if (debug < 0) return Response.text(400, "threadleak: bad query '" + printable(query) + "' (" + GOROUTINE + " takes debug=0, the pprof profile, debug=1 or debug=2)");
        } else if (query != null) {
            return Response.text(400, "threadleak: " + path + " takes no query, got '" + printable(query) + "'");
        }
        Snapshot s = source.last();
        if (s == null) return Response.text(503, "threadleak: no sample yet (the first is taken about a second after the JVM starts)");
        return switch (path) {
            case METRICS -> {
                PrometheusMetrics.Format format = PrometheusMetrics.negotiate(accept);
                yield new Response(200, format.contentType, PrometheusMetrics.render(format, s, new PrometheusMetrics.JvmThreads(
                        THREADS_MX.getThreadCount(), THREADS_MX.getDaemonThreadCount(), THREADS_MX.getPeakThreadCount(),
                        THREADS_MX.getTotalStartedThreadCount()), source.cost()).getBytes(StandardCharsets.UTF_8), null, null);
            }
            case HEALTH -> health(s);
            case GOROUTINE -> {
                if (debug > 0) yield report(s, debug);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                Pprof.write(s, true, bytes); // gzipped profile.proto, rooted at creation sites as the CLI's export
                yield new Response(200, "application/octet-stream", bytes.toByteArray(), null, null);
            }
            case THREADS_JSON -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                SnapshotCodec.write(s.withThreadsListed(threadsListed), bytes);
                yield new Response(200, "application/json", bytes.toByteArray(), null, null);
            }
            default -> report(s, debug);
        };
    }

    /** Samples in a row a SITE_GROWTH finding must hold before {@code /health} fails: one sample's verdict is no probe's restart. */
    static final int HEALTH_SAMPLES = 3;

    /**
     * Findings that make {@code /health} answer 503: a lock cycle (it never resolves), or a site whose threads never end
     * raised by {@link #HEALTH_SAMPLES} samples in a row.
     */
    static boolean unhealthy(Finding f) {
        return f.kind() == Finding.Kind.DEADLOCK || f.kind() == Finding.Kind.SITE_GROWTH && f.raisedSamples() >= HEALTH_SAMPLES;
    }

    /** {@code reasons}: why it is 503, a line per finding that fails health and per threshold crossed; empty when 200. */
    private Response health(Snapshot s) throws IOException {
        var sum = s.summary();
        List<String> reasons = new ArrayList<>();
        for (Finding f : s.findings()) {
            if (unhealthy(f)) {
                reasons.add(f.kind() + " finding" + (f.raisedSinceMs() < 0 ? "" : " since " + Instant.ofEpochMilli(f.raisedSinceMs())
                        + " (" + f.raisedSamples() + " samples in a row)") + ": " + f.title());
            }
        }
        reasons.addAll(healthLimits.crossed(sum.live(), sum.delta(), s.longBlocked().size()));
        boolean ok = reasons.isEmpty();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("status", ok ? "ok" : "unhealthy");
            g.writeStringField("takenAt", Instant.ofEpochMilli(s.takenAtMs()).toString());
            g.writeArrayFieldStart("reasons");
            for (String reason : reasons) g.writeString(reason);
            g.writeEndArray();
            g.writeNumberField("live", sum.live());
            g.writeNumberField("baseline", sum.baseline());
            g.writeNumberField("delta", sum.delta());
            g.writeNumberField("stackReservedBytes", sum.stackReserved());
            g.writeNumberField("heapUsedBytes", sum.heapUsed());
            g.writeNumberField("longBlocked", s.longBlocked().size());
            g.writeArrayFieldStart("findings");
            for (Finding f : s.findings()) {
                g.writeStartObject();
                g.writeStringField("kind", f.kind().name());
                g.writeStringField("severity", f.severity().name());
                g.writeStringField("title", f.title());
                SiteInfo site = s.site(f.site());
                if (site != null && site.blameFrame() != null) g.writeStringField("blame", site.blameFrame().toString());
                g.writeNumberField("threads", f.threads());
                g.writeBooleanField("failsHealth", unhealthy(f));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        bytes.write('\n');
        return new Response(ok ? 200 : 503, "application/json", bytes.toByteArray(), null, null);
    }

    /** {@code debug=1}: findings, then threads grouped by creation site (the CLI's report); {@code debug=2}: every thread. */
    private static Response report(Snapshot s, int debug) {
        TextReport.Body body = debug == 2 ? TextReport.Body.THREADS : TextReport.Body.FINDINGS_AND_GROUPS;
        return new Response(200, "text/plain; charset=utf-8", TextReport.utf8(s, "live JVM over HTTP", body), null, null);
    }

    /** A request's text in a one-line body: control characters escaped, and at most 200 characters. */
    private static String printable(String text) {
        String shown = TextReport.printable(text);
        return shown.length() <= 200 ? shown : shown.substring(0, 200) + "...";
    }

    /**
     * The server's workers: the agent's own daemon threads, and each one's deadline, so that {@link #interruptSlow} can
     * end a request that a slow client drags out (an interrupt closes the connection's channel, freeing the worker).
     * The queue is not capped: each entry is an open connection (the OS bounds them), and a request the executor
     * refused would leave its connection open for the server's life, as the JDK's server does not close it.
     */
    private static final class Workers extends ThreadPoolExecutor {
        private final Map<Thread, Long> deadlines = new ConcurrentHashMap<>();

        Workers(Consumer<Thread> markAgentThread) {
            super(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new ThreadFactory() {
                private final AtomicInteger n = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "threadleak-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    markAgentThread.accept(t);
                    return t;
                }
            });
        }

        /** The current worker's request must be done within {@code ms} from now. */
        void deadline(long ms) {
            deadlines.put(Thread.currentThread(), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms));
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            deadlines.put(t, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS)); // to read the request
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            deadlines.remove(Thread.currentThread());
        }

        void interruptSlow(long now) {
            for (Map.Entry<Thread, Long> e : deadlines.entrySet()) {
                if (now - e.getValue() > 0) e.getKey().interrupt();
            }
        }
    }
}
