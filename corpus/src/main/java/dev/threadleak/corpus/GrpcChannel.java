package dev.threadleak.corpus;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;

/**
 * gRPC Java (Netty transport): a {@code ManagedChannel} per call on its own event loop group, never shut down,
 * against one channel for the program. A channel built with defaults starts no thread of its own (the event
 * loop group, executor and timer are shared by every channel), but one given its own group, as where a
 * transport or thread count is chosen, leaks that group's thread: gRPC does not own a group it is given, and
 * the channel's first call starts it (scheduling the channel's idle timer on it). The server is gRPC's Netty
 * server on loopback in the same JVM.
 */
public final class GrpcChannel {

    public static void main(String[] args) throws Exception {
        int port = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(GrpcEcho.service(0)).build().start().getPort();
        ManagedChannel shared = channel(port);
        Calls.run(args, n -> call(channel(port), n), n -> call(shared, n));
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).eventLoopGroup(new NioEventLoopGroup(1))
                .channelType(NioSocketChannel.class).usePlaintext().build();
    }

    private static void call(ManagedChannel channel, int n) {
        String reply = ClientCalls.blockingUnaryCall(channel, GrpcEcho.ECHO, CallOptions.DEFAULT, "call " + n); // LEAK: the first call starts the channel's event loop
        if (!reply.equals("call " + n)) throw new IllegalStateException("unexpected reply " + reply);
    }
}
