package dev.threadleak.corpus;

import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.TimeValue;

/** Apache HttpClient 5: a client with an idle-connection evictor per call never closed, against one client. */
public final class ApacheHttpClient {
    public static void main(String[] args) throws Exception {
        String url = Calls.localUrl();
        CloseableHttpClient shared = newClient();
        Calls.run(args, n -> get(newClient(), url), n -> get(shared, url));
    }

    private static CloseableHttpClient newClient() {
        return HttpClients.custom().evictIdleConnections(TimeValue.of(10, TimeUnit.SECONDS)).build(); // LEAK: an evictor thread per client
    }

    private static void get(CloseableHttpClient client, String url) throws Exception {
        client.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
    }
}
