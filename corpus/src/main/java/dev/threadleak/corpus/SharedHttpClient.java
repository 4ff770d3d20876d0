package dev.threadleak.corpus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;

/**
 * Healthy: one {@code java.net.http.HttpClient} built once, shared by the application's 8 workers (a fixed pool
 * built once), workers sending at once rising by one per step to all 8, each sending a request every 20 ms or
 * so. The client's own executor (its default cached pool) fills to some number of workers and stays. The
 * workers' pool is shut down at exit, and the client closed where the JDK can (21+).
 */
public final class SharedHttpClient {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(Calls.localUrl())).build();
        Ramp.Streams workers = new Ramp.Streams(Executors.newFixedThreadPool(8));
        Ramp.run(args, 8, (level, deadline) -> workers.rise(level, n -> {
            client.send(request, HttpResponse.BodyHandlers.ofString());
            Thread.sleep(20);
        }), () -> {
            workers.close();
            if (client instanceof AutoCloseable closeable) closeable.close(); // HttpClient.close(), JDK 21+
        });
    }
}
