package dev.threadleak.corpus;

import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.util.concurrent.TimeUnit;

/**
 * RxJava: a polling subscription per call on {@code Schedulers.newThread()}, never disposed (each holds its
 * thread), against a subscription that completes and gives its thread back.
 */
public final class RxJavaNewThread {
    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            var unused = Observable.interval(50, TimeUnit.MILLISECONDS, Schedulers.newThread())
                    .subscribe(tick -> { }); // LEAK: a thread per subscription, never disposed
        }, n -> Observable.interval(10, TimeUnit.MILLISECONDS, Schedulers.newThread()).take(3).blockingSubscribe(tick -> { }));
    }
}
