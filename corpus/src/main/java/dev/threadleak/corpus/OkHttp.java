package dev.threadleak.corpus;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp: a client per call (its own dispatcher threads), against the one client OkHttp's docs ask for. */
public final class OkHttp {
    private static final OkHttpClient SHARED = new OkHttpClient();

    public static void main(String[] args) throws Exception {
        Request request = new Request.Builder().url(Calls.localUrl()).build();
        Calls.run(args, n -> get(new OkHttpClient(), request), n -> get(SHARED, request));
    }

    private static void get(OkHttpClient client, Request request) throws Exception {
        CompletableFuture<String> body = new CompletableFuture<>();
        client.newCall(request).enqueue(new Callback() { // LEAK: each client's dispatcher starts its own threads
            @Override
            public void onResponse(Call call, Response response) throws IOException {
                try (response) {
                    body.complete(response.body().string());
                }
            }

            @Override
            public void onFailure(Call call, IOException e) {
                body.completeExceptionally(e);
            }
        });
        body.get();
    }
}
