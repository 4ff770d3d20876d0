package dev.threadleak.corpus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** The corpus programs' main loop and the local HTTP server their clients call. */
final class Calls {
    /** One call of a program: what its users' code does per request. */
    interface Call {
        void make(int n) throws Exception;
    }

    /**
     * {@code <program> leak|correct [calls]}: makes call 1, 2, 3, ... of the chosen use (30 by default), one
     * every 100 ms, then exits (a leak's non-daemon threads would keep the JVM alive). Counted rather than
     * timed: on a loaded machine the first call (loading the library) may take seconds.
     */
    static void run(String[] args, Call leak, Call correct) throws Exception {
        Call call = switch (args.length > 0 ? args[0] : "") {
            case "leak" -> leak;
            case "correct" -> correct;
            default -> throw new IllegalArgumentException("usage: <program> leak|correct [calls]");
        };
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        for (int n = 1; n <= calls; n++) {
            call.make(n);
            Thread.sleep(100); // pacing, as requests arrive; nothing depends on it
        }
        System.out.println("calls done");
        System.exit(0);
    }

    /** GET {@code url}, its body read to the end: the servers' programs' client call. */
    static void get(URL url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        try (InputStream in = c.getInputStream()) {
            in.readAllBytes();
        }
    }

    private static String url;

    /** The URL of an HTTP server in this JVM answering "ok" to every request (started on first use, one thread). */
    static synchronized String localUrl() throws IOException {
        if (url == null) {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, ok.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(ok);
                }
            });
            server.start();
            url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }
        return url;
    }

    private Calls() {
    }
}
