package dev.threadleak.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Fixed twin of {@link VirtualFutureWaiters} (JDK 21+): the request completes the future it handed
 * to its waiter, so every virtual thread gets its reply and ends.
 */
public final class VirtualFutureWaitersFixed {

    public static void main(String[] args) throws Throwable {
        VirtualThreads.requireOrExit("VirtualFutureWaitersFixed");
        Samples.serve(args, "VirtualFutureWaitersFixed: one request every 100 ms for %d s;"
                + " each request starts a virtual thread waiting on a future that is then completed",
                VirtualFutureWaitersFixed::handleRequest);
        System.exit(0);
    }

    static CompletableFuture<String> handleRequest(int n) throws Throwable {
        CompletableFuture<String> reply = new CompletableFuture<>();
        Runnable waiter = () -> awaitReply(reply);
        Object builder = VirtualThreads.builder("waiter-" + n);
        Thread thread = (Thread) VirtualThreads.START.invokeExact(builder, waiter);
        reply.complete("reply-" + n);
        thread.join();
        return reply;
    }

    static void awaitReply(CompletableFuture<String> reply) {
        try {
            Samples.work(reply.get().length());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // not completed exceptionally here
        }
    }

    private VirtualFutureWaitersFixed() {
    }
}
