package dev.threadleak.corpus;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * gRPC Java (Netty transport): a {@code ManagedChannel} per call on its own event loop group, never shut down,
 * against one channel for the program. A channel built with defaults starts no thread of its own (the event
 * loop group, executor and timer are shared by every channel), but one given its own group, as where a
 * transport or thread count is chosen, leaks that group's thread: gRPC does not own a group it is given, and
 * the channel's first call starts it (scheduling the channel's idle timer on it). The server is gRPC's Netty
 * server on loopback in the same JVM.
 */
public final class GrpcChannel {
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    /** A unary method without generated code: a string in, the same string out. */
    private static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("corpus.Echo/Echo")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    public static void main(String[] args) throws Exception {
        ServerServiceDefinition echo = ServerServiceDefinition.builder("corpus.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((String request, io.grpc.stub.StreamObserver<String> response) -> {
                    response.onNext(request);
                    response.onCompleted();
                })).build();
        int port = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start().getPort();
        ManagedChannel shared = channel(port);
        Calls.run(args, n -> call(channel(port), n), n -> call(shared, n));
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).eventLoopGroup(new NioEventLoopGroup(1))
                .channelType(NioSocketChannel.class).usePlaintext().build();
    }

    private static void call(ManagedChannel channel, int n) {
        String reply = ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT, "call " + n); // LEAK: the first call starts the channel's event loop
        if (!reply.equals("call " + n)) throw new IllegalStateException("unexpected reply " + reply);
    }
}
