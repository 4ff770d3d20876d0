package dev.threadleak.agent.expose;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.config.HealthLimits;
import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The opt-in HTTP endpoint ({@code http=} option): {@code /metrics} (Prometheus text or OpenMetrics), {@code /health}
 * (JSON, 503 while a DEADLOCK finding is open, a SITE_GROWTH finding has held for {@link #HEALTH_SAMPLES} samples, or a
 * {@link HealthLimits} threshold is crossed),
 * {@code /debug/threads} (the text report; {@code ?debug=2}: every thread) and {@code /debug/threads.json} (a dump).
 * Every page reads the latest sample: a request never samples, so a scrape never walks stacks and never changes what
 * findings see. The server ({@link NioHttpServer}) runs on the agent's own daemon threads, bounds what any client holds,
 * and serves a page rendered from the same sample less than {@link NioHttpServer#SHARE_MS} ago again, so a crowd of
 * scrapers costs one render; a request is checked ({@link #refuse}: the token first) before anything is rendered.
 */
public final class HttpEndpoint implements NioHttpServer.Pages {
    private static final String METRICS = "/metrics", HEALTH = "/health", THREADS = "/debug/threads", THREADS_JSON = "/debug/threads.json",
            PPROF_INDEX = "/debug/pprof/", GOROUTINE = "/debug/pprof/goroutine", PAGE = "/", PAGE_JSON = "/debug/page.json";
    private static final List<String> PATHS = List.of(PAGE, METRICS, HEALTH, THREADS, THREADS_JSON, PPROF_INDEX, GOROUTINE, PAGE_JSON);
    /** The page runs its own inline script and reads its data from this endpoint, nothing else (its meta tag says the same). */
    private static final String PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'";
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private static final ThreadMXBean THREADS_MX = ManagementFactory.getThreadMXBean();

    /** What the pages read: the latest sample (never a new one), and the agent's own cost. */
    public interface Source {
        /** The last snapshot taken, or null before the first. */
        Snapshot last();

        AgentCost cost();

        /** The samples the live page charts, oldest first: those the agent remembers for it, the last one's included. */
        List<HtmlReport.Point> recent();
    }

    private final Source source;
    private final byte[] bearer;
    private final int threadsListed;
    private final HealthLimits healthLimits;
    private HttpEndpoint(Source source, String token, int threadsListed, HealthLimits healthLimits) {
        this.source = source;
        this.bearer = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.threadsListed = threadsListed;
        this.healthLimits = healthLimits;
    }

    /**
     * Starts the endpoint, its threads marked as the agent's own before they start; returns the address it serves on (the
     * port the system chose for port 0), or null after one warning line when it cannot (a port in use).
     */
    public static InetSocketAddress start(Source source, InetSocketAddress address, String token, int threadsListed, HealthLimits healthLimits,
                                          Log log, Consumer<Thread> markAgentThread) {
        try {
            HttpEndpoint endpoint = new HttpEndpoint(source, token, threadsListed, healthLimits);
            NioHttpServer server = new NioHttpServer(address, endpoint, log, markAgentThread);
            // the address as given, with the port bound (a dual-stack socket reports 0.0.0.0 as [::])
            InetSocketAddress bound = new InetSocketAddress(address.getAddress(), server.address().getPort());
            server.start();
            if (!address.getAddress().isLoopbackAddress()) {
                log.warn("HTTP endpoint on " + show(bound) + " is reachable beyond this host: whoever reaches it reads thread names and stacks"
                        + (token == null ? " (set token=<file> to require a token, or listen on 127.0.0.1)" : " (with the token)"));
            }
            return bound;
        } catch (Throwable t) {
            log.warn("cannot start the HTTP endpoint on " + show(address) + ": " + t + "; /metrics, /health and /debug/threads are off");
            return null;
        }
    }

    /** {@code 127.0.0.1:9464}, {@code [::1]:9464}: the address as the {@code http} option writes it. */
    public static String show(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** A response: status, content type, body (the body of a 4xx or 5xx is one line). */
    @SuppressWarnings("ArrayRecordComponent") // a carrier from the page to the socket: never compared or hashed
    record Response(int status, String contentType, byte[] body, String header, String headerValue) {
        static Response text(int status, String line) {
            return new Response(status, "text/plain; charset=utf-8", (line + "\n").getBytes(StandardCharsets.UTF_8), null, null);
        }

        Response with(String name, String value) {
            return new Response(status, contentType, body, name, value);
        }
    }

    /**
     * Every check that needs no sample, in this order: the token (so no page is told apart without it), the path, the
     * method, the query. Made on the server's selector thread as soon as the headers are in: a refused request costs no
     * worker. Null when the request is to be rendered.
     */
    @Override
    public Response refuse(NioHttpServer.Request request) {
        // the header's bytes as they came (ISO-8859-1 keeps them), against the token's UTF-8
        String authorization = request.authorization();
        if (bearer != null && (authorization == null || !MessageDigest.isEqual(bearer, authorization.getBytes(StandardCharsets.ISO_8859_1)))) {
            return Response.text(401, "threadleak: this endpoint needs 'Authorization: Bearer <token>' (the token file given by the token option)")
                    .with("WWW-Authenticate", "Bearer realm=\"threadleak\"");
        }
        String path = request.path(), method = request.method(), query = request.query();
        if (!PATHS.contains(path)) return Response.text(404, "threadleak: no page '" + printable(path) + "' (pages: " + String.join(", ", PATHS) + ")");
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Response.text(405, "threadleak: " + path + " answers GET and HEAD, not " + printable(method)).with("Allow", "GET, HEAD");
        }
        if (variant(path, query) != null) return null;
        return Response.text(400, switch (path) {
            case THREADS -> "threadleak: bad query '" + printable(query) + "' (" + THREADS + " takes debug=1, grouped, or debug=2, every thread)";
            case GOROUTINE -> "threadleak: bad query '" + printable(query) + "' (" + GOROUTINE + " takes debug=0, the pprof profile, debug=1, "
                    + "identical threads counted once, or debug=2, every thread; with debug=0, labels=thread, a sample per thread, or seconds=N, "
                    + "the threads gained and lost over the next N seconds, 1 to " + MAX_DELTA_SECONDS + ")";
            default -> "threadleak: " + path + " takes no query, got '" + printable(query) + "'";
        });
    }

    /**
     * The variant of a page that a query asks for, in one canonical word ({@code 1}, {@code 0-thread}), or null when the
     * page does not take that query: {@code debug} (0 to 2; 1 and 2 on /debug/threads) and, on the goroutine profile,
     * {@code labels=thread}. Go's pprof handler takes {@code debug=} the same way.
     */
    private static String variant(String path, String query) {
        Map<String, String> params = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || params.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) return null;
            }
        }
        String debug = params.remove("debug");
        return switch (path) {
            case THREADS -> params.isEmpty() && (debug == null || debug.equals("1") || debug.equals("2")) ? (debug == null ? "1" : debug) : null;
            case GOROUTINE -> {
                String labels = params.remove("labels"), seconds = params.remove("seconds");
                boolean level = debug == null || debug.equals("0") || debug.equals("1") || debug.equals("2");
                if (!params.isEmpty() || !level || (labels != null && !labels.equals("thread"))) yield null;
                if (seconds == null) yield (debug == null ? "0" : debug) + (labels == null ? "" : "-thread");
                // as Go's: a delta is a profile (debug=0) of counts, never per thread
                int n = seconds.matches("\\d{1,4}") ? Integer.parseInt(seconds) : -1;
                yield n < 1 || n > MAX_DELTA_SECONDS || labels != null || (debug != null && !debug.equals("0")) ? null : "0-seconds-" + n;
            }
            default -> query == null ? "0" : null;
        };
    }

    /**
     * What names the page a request {@link #refuse} let through: the page, its debug level, the format negotiated (for
     * /metrics) and the time of the latest sample; null before the first sample (each such request gets its 503).
     */
    @Override
    public String page(NioHttpServer.Request request) {
        Snapshot s = source.last();
        if (s == null) return null;
        String path = request.path();
        return path + " " + variant(path, request.query()) + (path.equals(METRICS) ? " " + PrometheusMetrics.negotiate(request.accept()) : "") + " " + s.takenAtMs();
    }

    /** The page of a request {@link #refuse} let through, from the latest sample; on one of the server's workers. */
    @Override
    public Response render(NioHttpServer.Request request) throws IOException {
        Snapshot s = source.last();
        if (s == null) return Response.text(503, "threadleak: no sample yet (the first is taken about a second after the JVM starts)");
        String path = request.path();
        return page(s, path, variant(path, request.query()), path.equals(METRICS) ? PrometheusMetrics.negotiate(request.accept()) : null);
    }

    private Response page(Snapshot s, String path, String variant, PrometheusMetrics.Format format) throws IOException {
        return switch (path) {
            case METRICS -> new Response(200, format.contentType, PrometheusMetrics.render(format, s, new PrometheusMetrics.JvmThreads(
                    THREADS_MX.getThreadCount(), THREADS_MX.getDaemonThreadCount(), THREADS_MX.getPeakThreadCount(),
                    THREADS_MX.getTotalStartedThreadCount()), source.cost()).getBytes(StandardCharsets.UTF_8), null, null);
            case HEALTH -> health(s);
            case PPROF_INDEX -> new Response(200, "text/html; charset=utf-8", pprofIndex(s), null, null);
            case GOROUTINE -> switch (variant.charAt(0)) {
                case '1' -> new Response(200, "text/plain; charset=utf-8", GoProfile.debug1(s), null, null);
                case '2' -> new Response(200, "text/plain; charset=utf-8", GoProfile.debug2(s), null, null);
                default -> {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                    Pprof.write(s, true, variant.endsWith("-thread"), bytes); // gzipped profile.proto, rooted at creation sites as the CLI's export
                    yield new Response(200, "application/octet-stream", bytes.toByteArray(), null, null)
                            .with("Content-Disposition", "attachment; filename=\"goroutine\"");
                }
            };
            case THREADS_JSON -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
                SnapshotCodec.write(s.withThreadsListed(threadsListed), bytes);
                yield new Response(200, "application/json", bytes.toByteArray(), null, null);
            }
            case PAGE -> new Response(200, "text/html; charset=utf-8", HtmlReport.Series.live(source.recent(), s)
                    .page(pageSource(s), PAGE_JSON, refreshMs(s)), null, null).with("Content-Security-Policy", PAGE_POLICY);
            case PAGE_JSON -> new Response(200, "application/json", HtmlReport.Series.live(source.recent(), s)
                    .data(pageSource(s), PAGE_JSON, refreshMs(s)), null, null);
            default -> report(s, variant.equals("2") ? 2 : 1);
        };
    }

    /** How often the live page reads its data again: as often as the agent samples (5 s when it does not say). */
    private static long refreshMs(Snapshot s) {
        return s.sampling().everyMs() > 0 ? s.sampling().everyMs() : 5_000;
    }

    private static String pageSource(Snapshot s) {
        return "the agent's samples, live, at http://" + s.http() + "/";
    }

    /**
     * Go's {@code /debug/pprof/} index, for the profile this endpoint has (goroutine: the threads) and threadleak's own
     * pages. Nothing in it comes from the application but counts.
     */
    private static byte[] pprofIndex(Snapshot s) {
        int threads = 0;
        for (var t : s.threads()) if (!t.agentThread()) threads++;
        String html = "<html>\n<head><title>/debug/pprof/</title></head>\n<body>\n/debug/pprof/<br>\n<br>\n"
                + "Types of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n"
                + "<tr><td>" + threads + "</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>\n</table>\n"
                + "<a href='goroutine?debug=2'>full thread stack dump</a>\n<br>\n<p>\nProfile Descriptions:\n<ul>\n"
                + "<li><div class=profile-name>goroutine: </div> The JVM's live threads, identical ones counted once, each rooted at the "
                + "line that created it (a pool worker: where its executor was built). <code>go tool pprof</code> reads "
                + "<a href='goroutine'>goroutine</a>; <a href='goroutine?labels=thread'>goroutine?labels=thread</a> has a sample per thread, "
                + "labelled with its name and age.</li>\n</ul>\n</p>\n"
                + "threadleak: <a href='/'>page</a>, <a href='/debug/threads'>report</a>, <a href='/debug/threads?debug=2'>every thread</a>, "
                + "<a href='/debug/threads.json'>dump</a>, <a href='/metrics'>metrics</a>, <a href='/health'>health</a>\n"
                + "</body>\n</html>\n";
        return html.getBytes(StandardCharsets.UTF_8);
    }

    /** The longest delta {@code goroutine?seconds=N} waits for: a client holds a connection (one of {@link NioHttpServer#MAX_LATER}) that long. */
    static final int MAX_DELTA_SECONDS = 300;

    /**
     * {@code goroutine?seconds=N}, as Go's: the threads gained and lost over the next N seconds, a profile whose values are
     * the change in each group's count. It takes the latest sample now, and renders once a sample N seconds later has been
     * taken (it waits N seconds and one sample interval, and holds no worker meanwhile).
     */
    @Override
    public NioHttpServer.Later later(NioHttpServer.Request request) {
        String variant = variant(request.path(), request.query());
        Snapshot before = source.last();
        if (variant == null || !variant.startsWith("0-seconds-") || before == null) return null;
        long seconds = Long.parseLong(variant.substring("0-seconds-".length()));
        long every = before.sampling().everyMs() > 0 ? before.sampling().everyMs() : 5_000;
        return new NioHttpServer.Later(seconds * 1000 + every + 250, () -> {
            Snapshot after = source.last();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            Pprof.writeDelta(before, after, bytes);
            return new Response(200, "application/octet-stream", bytes.toByteArray(), null, null)
                    .with("Content-Disposition", "attachment; filename=\"goroutine-delta\"");
        });
    }

    /** Samples in a row a SITE_GROWTH finding must hold before {@code /health} fails: one sample's verdict is no probe's restart. */
    static final int HEALTH_SAMPLES = 3;

    /**
     * Findings that make {@code /health} answer 503: a lock cycle (it never resolves), a leak proven from the heap (the
     * MXBean's {@code prove()}: a proof needs no more samples), or a site whose threads never end raised by
     * {@link #HEALTH_SAMPLES} samples in a row.
     */
    static boolean unhealthy(Finding f) {
        return f.kind() == Finding.Kind.DEADLOCK || f.kind() == Finding.Kind.PROVEN_LEAK
                || (f.kind() == Finding.Kind.SITE_GROWTH && f.raisedSamples() >= HEALTH_SAMPLES);
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
    static String printable(String text) {
        String shown = Printable.of(text);
        return shown.length() <= 200 ? shown : shown.substring(0, 200) + "...";
    }
}
