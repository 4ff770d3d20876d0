package dev.threadleak.corpus;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty server: a server (its own boss group) bound per call, e.g. a test fixture or a per-tenant listener, and
 * never closed nor its group shut down; against servers on one shared group, each closed when done.
 */
public final class NettyServer {
    private static final EventLoopGroup SHARED = new NioEventLoopGroup(1);
    /** Servers left listening. */
    private static final List<Channel> OPEN = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> OPEN.add(bind(new NioEventLoopGroup(1))), n -> bind(SHARED).close().syncUninterruptibly());
    }

    private static Channel bind(EventLoopGroup group) {
        ServerBootstrap server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class).childHandler(new ChannelInboundHandlerAdapter());
        return server.bind("127.0.0.1", 0).syncUninterruptibly().channel(); // LEAK: the group's event loop starts here
    }
}
