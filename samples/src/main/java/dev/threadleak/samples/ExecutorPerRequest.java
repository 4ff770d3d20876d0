package dev.threadleak.samples;

import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * LEAK: every request creates a new fixed thread pool and never shuts it down.
 * The pool's worker thread (pool-N-thread-1, non-daemon) is started inside submit() and then
 * idles forever in the pool's queue, so one thread is leaked per request.
 */
public final class ExecutorPerRequest {

    public static void main(String[] args) throws Throwable {
        Samples.serve(args, "ExecutorPerRequest: one request every 100 ms for %d s;"
                + " each request creates an executor and never shuts it down",
                ExecutorPerRequest::handleRequest);
        // Leaked non-daemon pool threads would keep the JVM alive: exit deliberately.
        System.exit(0);
    }

    static long handleRequest(int n) throws Exception {
        Callable<Long> task = () -> Samples.work(n);
        Future<Long> result = Executors.newFixedThreadPool(2).submit(task); // LEAK: executor created per request, never shut down
        return result.get();
    }

    private ExecutorPerRequest() {
    }
}
