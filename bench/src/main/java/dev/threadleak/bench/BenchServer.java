package dev.threadleak.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The server under test of {@link ServerBench}: Jetty 12 or the JDK's {@code HttpServer} on 127.0.0.1, answering
 * every request with 200 and a 3-byte body, in one of three thread models, until killed.
 * <ul>
 *   <li>{@code pool}: a fixed pool of {@value #POOL_THREADS} platform threads;</li>
 *   <li>{@code virtual}: a new virtual thread per request (JDK 21+; Jetty: its documented
 *       {@code QueuedThreadPool.setVirtualThreadsExecutor});</li>
 *   <li>{@code thread}: a new platform thread per request (Jetty: the same per-request hook given an executor
 *       that starts platform threads, so the two modes differ only in the kind of thread; JDK 21+ for Jetty,
 *       which accepts the hook only where virtual threads exist).</li>
 * </ul>
 * Handlers: {@code trivial}, or {@code work}: a fixed amount of CPU work per request ({@link #work}, about 50 us
 * on the reference machine; fixed work rather than a timed spin, so an agent that slows the CPU shows).
 * Prints one status line before listening (what the driver checks: agent, JFR, processors) and fails with
 * exit 3 if the first request runs on a thread of the wrong kind, so a mode can never silently be another.
 *
 * <pre>java -cp benchmarks.jar dev.threadleak.bench.BenchServer --server jetty|jdk --mode pool|virtual|thread
 *      --handler trivial|work --port N</pre>
 */
public final class BenchServer {
    static final int POOL_THREADS = 16;
    /**
     * xorshift rounds of the {@code work} handler: about 50 us of CPU on the reference machine (2.1 GHz EPYC vCPU, JDK 25;
     * 18,000 rounds measured 34 us of thread CPU time, so 1.9 ns a round); wall time is longer when cores are shared.
     */
    static final int WORK_ROUNDS = 26_000;
    private static final byte[] BODY = "ok\n".getBytes(StandardCharsets.US_ASCII);
    private static final String POOL_NAME = "pool", REQUEST_NAME = "request";

    /** Keeps {@link #work}'s result observable, so the JIT cannot drop the loop. */
    static volatile long sink;
    private static volatile boolean firstChecked;

    private BenchServer() {}

    public static void main(String[] args) throws Exception {
        try {
            start(Args.parse(args));
        } catch (IllegalArgumentException e) {
            System.out.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void start(Map<String, String> a) throws Exception {
        String server = Args.require(a, "server"), mode = Args.require(a, "mode"), handler = Args.require(a, "handler");
        int port = Integer.parseInt(Args.require(a, "port"));
        boolean work = switch (handler) {
            case "trivial" -> false;
            case "work" -> true;
            default -> throw new IllegalArgumentException("unknown handler " + handler + " (trivial, work)");
        };
        if (!mode.equals("pool") && !mode.equals("virtual") && !mode.equals("thread")) {
            throw new IllegalArgumentException("unknown mode " + mode + " (pool, virtual, thread)");
        }
        int feature = Runtime.version().feature();
        if (feature < 21 && (mode.equals("virtual") || server.equals("jetty") && mode.equals("thread"))) {
            throw new IllegalArgumentException(server + " mode " + mode + " needs JDK 21+, this is " + feature);
        }
        System.out.println("status java=" + feature + " cpus=" + Runtime.getRuntime().availableProcessors()
                + " threadleak=" + Configs.agentLoaded() + " jfr=" + Configs.jfrRecording()
                + " server=" + server + " mode=" + mode + " handler=" + handler);
        switch (server) {
            case "jdk" -> startJdk(mode, work, port);
            case "jetty" -> startJetty(mode, work, port);
            default -> throw new IllegalArgumentException("unknown server " + server + " (jdk, jetty)");
        }
    }

    private static void startJdk(String mode, boolean work, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", exchange -> {
            checkFirst(mode);
            if (work) sink = work(exchange.hashCode());
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
        });
        server.setExecutor(switch (mode) {
            case "pool" -> Executors.newFixedThreadPool(POOL_THREADS, named(POOL_NAME));
            case "virtual" -> virtualPerTask();
            default -> newThreadPerTask();
        });
        server.start();
    }

    private static void startJetty(String mode, boolean work, int port) throws Exception {
        QueuedThreadPool pool = mode.equals("pool") ? new QueuedThreadPool(POOL_THREADS, POOL_THREADS) : new QueuedThreadPool();
        pool.setName(POOL_NAME);
        if (mode.equals("virtual")) pool.setVirtualThreadsExecutor(virtualPerTask());
        if (mode.equals("thread")) pool.setVirtualThreadsExecutor(newThreadPerTask());
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        // Handler.Abstract is BLOCKING by default: Jetty runs it on the per-request executor when one is set
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                checkFirst(mode);
                if (work) sink = work(request.hashCode());
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, BODY.length);
                response.write(true, ByteBuffer.wrap(BODY), callback);
                return true;
            }
        });
        server.start();
    }

    /** The work handler's CPU work: a dependent chain of xorshift rounds (nothing for the JIT to fold). */
    static long work(long seed) {
        long x = seed | 1;
        for (int i = 0; i < WORK_ROUNDS; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /** Once: the first request must run on a thread of the mode's kind (see the class comment). */
    private static void checkFirst(String mode) {
        if (firstChecked) return;
        firstChecked = true;
        Thread t = Thread.currentThread();
        boolean virtual = isVirtual(t);
        boolean ok = switch (mode) {
            case "pool" -> !virtual && t.getName().startsWith(POOL_NAME + "-");
            case "virtual" -> virtual;
            default -> !virtual && t.getName().startsWith(REQUEST_NAME + "-");
        };
        if (!ok) {
            System.out.println("error: mode " + mode + " but the first request ran on " + t + " (virtual=" + virtual + ")");
            Runtime.getRuntime().halt(3);
        }
    }

    private static boolean isVirtual(Thread t) {
        try {
            return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
        } catch (ReflectiveOperationException beforeJdk21) {
            return false;
        }
    }

    /** Executors.newVirtualThreadPerTaskExecutor(), called reflectively: this module compiles for release 17. */
    private static ExecutorService virtualPerTask() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no virtual threads in JDK " + Runtime.version(), e);
        }
    }

    private static Executor newThreadPerTask() {
        AtomicLong n = new AtomicLong();
        return task -> new Thread(task, REQUEST_NAME + "-" + n.incrementAndGet()).start();
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicLong n = new AtomicLong();
        return task -> new Thread(task, prefix + "-" + n.incrementAndGet());
    }
}
