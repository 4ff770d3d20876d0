package dev.threadleak.corpus;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: a gRPC Java server (Netty transport, gRPC's defaults: its shared boss and worker event loop groups and
 * its shared cached executor for the handlers), built once, accepting one more client connection per step, 8 in
 * all: a {@code ManagedChannel} per step, built with defaults and kept open (each channel its own connection),
 * each used by a stream of the program's client pool (fixed, 8, built once) calling in a loop. Each call waits
 * 50 ms in the handler (a downstream call), so the executor runs as many handlers at once as channels are open.
 * The service is made without generated code: a hand-made unary {@code MethodDescriptor} with a string
 * marshaller. All channels and the server are shut down at exit.
 */
public final class GrpcServer {
    private static final int CHANNELS = 8;

    public static void main(String[] args) throws Exception {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(GrpcEcho.service(50)).build().start();
        ManagedChannel[] channels = new ManagedChannel[CHANNELS];
        Ramp.Streams clients = new Ramp.Streams(Executors.newFixedThreadPool(CHANNELS));
        Ramp.run(args, CHANNELS, (level, deadline) -> {
            for (int i = 0; i < level; i++) {
                if (channels[i] == null) channels[i] = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
            }
            clients.rise(level, n -> call(channels[n - 1], n));
        }, () -> {
            clients.close();
            for (ManagedChannel c : channels) {
                if (c != null) c.shutdown();
            }
            for (ManagedChannel c : channels) {
                if (c != null && !c.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("channel did not terminate");
            }
            server.shutdown();
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("server did not terminate");
        });
    }

    private static void call(ManagedChannel channel, int n) {
        String reply = ClientCalls.blockingUnaryCall(channel, GrpcEcho.ECHO, CallOptions.DEFAULT, "call " + n);
        if (!reply.equals("call " + n)) throw new IllegalStateException("unexpected reply " + reply);
    }
}
