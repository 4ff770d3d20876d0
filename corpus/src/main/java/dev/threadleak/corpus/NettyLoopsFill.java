package dev.threadleak.corpus;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Healthy: a Netty client group of 12 event loops and an echo server (1 boss loop, 8 worker loops), each group
 * built once. One new client connection per step, 12 in all, kept open: a client loop starts per connection (the
 * group hands out its loops in turn, each starting on its first channel), and the server's worker loops start
 * one by one from the boss loop's accept path as it hands the accepted connections out. Every step every open
 * connection sends a ping and gets it echoed. Everything is closed and the groups shut down at exit.
 */
public final class NettyLoopsFill {
    public static void main(String[] args) throws Exception {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(8, NioIoHandler.newFactory());
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(12, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new Echo()).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        Semaphore echoes = new Semaphore(0);
        Bootstrap client = new Bootstrap().group(clients).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        echoes.release(msg.readableBytes());
                    }
                });
            }
        });
        List<Channel> connections = new ArrayList<>();
        Ramp.run(args, 12, (level, deadline) -> {
            while (connections.size() < level) connections.add(client.connect(server.localAddress()).syncUninterruptibly().channel());
            for (Channel c : connections) c.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            if (!echoes.tryAcquire(connections.size(), 10, TimeUnit.SECONDS)) throw new IllegalStateException("echoes missing");
        }, () -> {
            for (Channel c : connections) c.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        });
    }

    /** The server's handler, one for every connection. */
    @ChannelHandler.Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }
}
