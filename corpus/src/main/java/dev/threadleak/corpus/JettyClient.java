package dev.threadleak.corpus;

import org.eclipse.jetty.client.HttpClient;

/** Jetty client: a client started per call and never stopped, against one started client for the program. */
public final class JettyClient {
    public static void main(String[] args) throws Exception {
        String url = Calls.localUrl();
        HttpClient shared = new HttpClient();
        shared.start();
        Calls.run(args, n -> {
            HttpClient client = new HttpClient();
            client.start(); // LEAK: each client starts its own thread pool
            client.GET(url);
        }, n -> shared.GET(url));
    }
}
