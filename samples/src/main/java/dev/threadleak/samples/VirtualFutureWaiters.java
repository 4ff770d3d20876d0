package dev.threadleak.samples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * LEAK (JDK 21+): every request starts a virtual thread ("waiter-N") that waits in get() on a
 * CompletableFuture which nobody ever completes, so one virtual thread is parked forever per request.
 * Virtual threads are daemon threads, so they would not keep the JVM alive; they leak all the same.
 * The virtual-thread API is called through method handles so that this module compiles with release 17.
 */
public final class VirtualFutureWaiters {

    public static void main(String[] args) throws Throwable {
        VirtualThreads.requireOrExit("VirtualFutureWaiters");
        Samples.serve(args, "VirtualFutureWaiters: one request every 100 ms for %d s;"
                + " each request starts a virtual thread waiting on a future that is never completed",
                VirtualFutureWaiters::handleRequest);
        System.exit(0);
    }

    static CompletableFuture<String> handleRequest(int n) throws Throwable {
        CompletableFuture<String> reply = new CompletableFuture<>(); // never completed
        Runnable waiter = () -> awaitReply(reply);
        Object builder = VirtualThreads.builder("waiter-" + n);
        Thread thread = (Thread) VirtualThreads.START.invokeExact(builder, waiter); // LEAK: virtual thread waits on a future that is never completed
        return reply;
    }

    static void awaitReply(CompletableFuture<String> reply) {
        try {
            Samples.work(reply.get().length()); // WAITS: parked here forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // the future is never completed, exceptionally or otherwise
        }
    }

    private VirtualFutureWaiters() {
    }
}
