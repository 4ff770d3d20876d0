package dev.threadleak.corpus;

import java.net.URL;
import java.util.concurrent.Executors;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Healthy: an embedded Jetty 12 server (its QueuedThreadPool at Jetty's defaults, 8 to 200 threads), built once,
 * under requests rising by 3 concurrent per step to 24, from the program's own client pool (fixed, 24, built
 * once; HttpURLConnection with keep-alive). Each request waits 100 ms in the handler (a downstream call). The
 * pool grows to what the load needs and its idle threads wait for jobs. Server stopped, clients shut down at exit.
 */
public final class JettyServer {
    public static void main(String[] args) throws Exception {
        Server server = new Server(new QueuedThreadPool());
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Thread.sleep(100);
                Content.Sink.write(response, true, "ok", callback);
                return true;
            }
        });
        server.start();
        URL url = new URL("http://127.0.0.1:" + connector.getLocalPort() + "/");
        Ramp.Streams clients = new Ramp.Streams(Executors.newFixedThreadPool(24));
        Ramp.run(args, 8, (level, deadline) -> clients.rise(3 * level, n -> Calls.get(url)), () -> {
            clients.close();
            server.stop();
        });
    }
}
