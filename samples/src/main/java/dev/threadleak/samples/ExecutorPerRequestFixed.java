package dev.threadleak.samples;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Fixed twin of {@link ExecutorPerRequest}: one shared executor, created once and shut down at the end. */
public final class ExecutorPerRequestFixed {

    private static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(2);

    public static void main(String[] args) throws Exception {
        int seconds = Samples.seconds(args);
        System.out.println("ExecutorPerRequestFixed: one request every 100 ms for " + seconds
                + " s; all requests share one executor, shut down at the end");
        long deadline = Samples.deadline(seconds);
        int n = 0;
        while (Samples.before(deadline)) {
            handleRequest(++n);
            Samples.pause(100, deadline);
        }
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
