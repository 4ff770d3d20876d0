package dev.threadleak.corpus;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Netty client: an event loop group per call never shut down, against one group for the whole program. */
public final class NettyClient {
    private static final EventLoopGroup SHARED = new NioEventLoopGroup(1);

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
            Calls.run(args, n -> {
                EventLoopGroup group = new NioEventLoopGroup(1);
                connect(group, address);
            }, n -> connect(SHARED, address));
        }
    }

    private static void connect(EventLoopGroup group, InetSocketAddress address) {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter());
        bootstrap.connect(address).syncUninterruptibly().channel().close().syncUninterruptibly(); // LEAK: the group's event loop starts here
    }
}
