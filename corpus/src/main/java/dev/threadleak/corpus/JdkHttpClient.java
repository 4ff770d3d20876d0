package dev.threadleak.corpus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** java.net.http.HttpClient: a client per call, kept and never closed, against one client for the program. */
public final class JdkHttpClient {
    private static final HttpClient SHARED = HttpClient.newHttpClient();
    /** Clients kept "for reuse" (as a per-tenant cache would keep them); nothing closes them. */
    private static final List<HttpClient> CLIENTS = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(Calls.localUrl())).build();
        Calls.run(args, n -> {
            HttpClient client = HttpClient.newHttpClient(); // LEAK: a selector thread per client
            CLIENTS.add(client);
            client.send(request, HttpResponse.BodyHandlers.ofString());
        }, n -> SHARED.send(request, HttpResponse.BodyHandlers.ofString()));
    }
}
