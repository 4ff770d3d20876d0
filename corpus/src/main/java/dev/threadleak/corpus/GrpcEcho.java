package dev.threadleak.corpus;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The gRPC programs' service, made without generated code: a unary method with a string marshaller, a string in, the same out. */
final class GrpcEcho {
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
    static final MethodDescriptor<String, String> ECHO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("corpus.Echo/Echo")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    /** The service; each call first waits {@code millis} (a downstream call), 0 for none. */
    static ServerServiceDefinition service(long millis) {
        return ServerServiceDefinition.builder("corpus.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> response) -> {
                    try {
                        if (millis > 0) Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    response.onNext(request);
                    response.onCompleted();
                })).build();
    }

    private GrpcEcho() {
    }
}
