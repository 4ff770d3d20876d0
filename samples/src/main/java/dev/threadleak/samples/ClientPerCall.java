package dev.threadleak.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * LEAK: every call makes a new {@link Client}, whose constructor builds a scheduled executor for its
 * heartbeat; clients are kept (as a connection cache would) and never closed, so every call leaves one
 * ScheduledThreadPoolExecutor and its worker behind, none ever shut down.
 */
public final class ClientPerCall {
    /** Every client made, kept "for reuse"; nothing ever closes them. */
    private static final List<Client> CLIENTS = new ArrayList<>();

    static final class Client implements AutoCloseable {
        private final ScheduledExecutorService heartbeat;

        Client() {
            heartbeat = Executors.newScheduledThreadPool(1); // LEAK: an executor per client, never shut down
            heartbeat.scheduleAtFixedRate(() -> Samples.work(1), 0, 50, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            heartbeat.shutdownNow();
        }
    }

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ClientPerCall: one call every 100 ms for %d s;"
                + " each call makes a client with its own heartbeat executor and never closes it",
                n -> CLIENTS.add(new Client()));
        System.exit(0); // the clients' non-daemon workers would keep the JVM alive
    }

    private ClientPerCall() {
    }
}
