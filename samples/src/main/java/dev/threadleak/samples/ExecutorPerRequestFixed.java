package dev.threadleak.samples;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Fixed twin of {@link ExecutorPerRequest}: one shared executor, created once and shut down at the end. */
public final class ExecutorPerRequestFixed {

    private static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(2);

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ExecutorPerRequestFixed: one request every 100 ms for %d s;"
                + " all requests share one executor, shut down at the end",
                ExecutorPerRequestFixed::handleRequest);
        EXECUTOR.shutdown();
        EXECUTOR.awaitTermination(10, TimeUnit.SECONDS);
        System.exit(0);
    }

    static long handleRequest(int n) throws Exception {
        Callable<Long> task = () -> Samples.work(n);
        Future<Long> result = EXECUTOR.submit(task);
        return result.get();
    }

    private ExecutorPerRequestFixed() {
    }
}
