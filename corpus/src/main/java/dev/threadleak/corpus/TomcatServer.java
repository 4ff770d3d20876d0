package dev.threadleak.corpus;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/**
 * Healthy: an embedded Tomcat 11 server (its NIO connector at Tomcat's defaults: a worker pool of 10 to 200
 * threads, {@code http-nio-<port>-exec-<n>}), built once, under requests rising by 3 concurrent per step to 24,
 * from the program's own client pool (fixed, 24, built once; HttpURLConnection with keep-alive). Each request
 * waits 100 ms in the servlet (a downstream call), so the worker pool grows past its 10 spare threads to what the
 * load needs. Server stopped and destroyed, clients shut down at exit.
 */
public final class TomcatServer {
    /** Tomcat's start-up lines on stderr, kept to warnings (a strong reference: JUL keeps loggers weakly). */
    private static final Logger CATALINA = Logger.getLogger("org.apache");

    public static void main(String[] args) throws Exception {
        CATALINA.setLevel(Level.WARNING);
        Path base = Files.createTempDirectory("tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector(); // HTTP/1.1, NIO
        connector.setPort(freePort()); // a fixed port and no address, as a service has: its workers are http-nio-<port>-exec-<n>
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", base.toString());
        context.setClearReferencesThreadLocals(false); // Tomcat's checks for a redeployed web application's leaks, which
        context.setClearReferencesRmiTargets(false); // warn at stop that they need --add-opens; this program redeploys nothing
        Tomcat.addServlet(context, "downstream", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                response.setContentType("text/plain");
                response.getWriter().write("ok");
            }
        });
        context.addServletMappingDecoded("/", "downstream");
        tomcat.start();
        URL url = new URL("http://127.0.0.1:" + connector.getLocalPort() + "/");
        Ramp.Streams clients = new Ramp.Streams(Executors.newFixedThreadPool(24));
        Ramp.run(args, 8, (level, deadline) -> clients.rise(3 * level, n -> Calls.get(url)), () -> {
            clients.close();
            tomcat.stop();
            tomcat.destroy();
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
