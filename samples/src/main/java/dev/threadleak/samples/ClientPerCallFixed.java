package dev.threadleak.samples;

/** Fixed twin of {@link ClientPerCall}: each call's client is closed (its executor shut down) when the call ends. */
public final class ClientPerCallFixed {

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ClientPerCallFixed: one call every 100 ms for %d s;"
                + " each call makes a client and closes it when done",
                n -> {
                    try (ClientPerCall.Client client = new ClientPerCall.Client()) {
                        Samples.work(n);
                    }
                });
        System.exit(0);
    }

    private ClientPerCallFixed() {
    }
}
