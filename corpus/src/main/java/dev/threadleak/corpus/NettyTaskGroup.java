package dev.threadleak.corpus;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

/**
 * Netty: an event loop group per call to run one task, never shut down (its loop runs forever, nothing holds the group),
 * against one group for the program. Not in the corpus's flagged programs: {@code ProveCorpusIT} proves it.
 */
public final class NettyTaskGroup {
    private static final EventLoopGroup SHARED = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()); // a group per call, never shut down
            group.submit(() -> n * 2).get(); // LEAK: the group's event loop starts here
        }, n -> SHARED.submit(() -> n * 2).get());
    }
}
