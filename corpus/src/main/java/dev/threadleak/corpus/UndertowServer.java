package dev.threadleak.corpus;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.concurrent.Executors;

/**
 * Healthy: an embedded Undertow 2.4 server (2 I/O threads and an XNIO worker pool of 16, Undertow's defaults on
 * 2 cores), built once, with a blocking handler (each request dispatched from its I/O thread to the worker pool)
 * under requests rising by 2 concurrent per step to 16, from the program's own client pool (fixed, 16, built
 * once; HttpURLConnection with keep-alive). Each request waits 100 ms in the handler (a downstream call), so the
 * worker pool starts its threads as the load needs them. Server stopped, clients shut down at exit.
 */
public final class UndertowServer {
    public static void main(String[] args) throws Exception {
        Undertow server = Undertow.builder().setIoThreads(2).setWorkerThreads(16).addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    Thread.sleep(100);
                    exchange.getResponseSender().send("ok");
                })).build();
        server.start();
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        URL url = new URL("http://127.0.0.1:" + port + "/");
        Ramp.Streams clients = new Ramp.Streams(Executors.newFixedThreadPool(16));
        Ramp.run(args, 8, (level, deadline) -> clients.rise(2 * level, n -> Calls.get(url)), () -> {
            clients.close();
            server.stop();
        });
    }
}
