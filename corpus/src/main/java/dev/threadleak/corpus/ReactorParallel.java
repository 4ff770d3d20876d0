package dev.threadleak.corpus;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Reactor: {@code Schedulers.newParallel} per call never disposed, against one scheduler for the program. */
public final class ReactorParallel {
    private static final Scheduler SHARED = Schedulers.newParallel("work", 2);

    public static void main(String[] args) throws Exception {
        Calls.run(args, n -> {
            Scheduler scheduler = Schedulers.newParallel("work", 2); // LEAK: a new scheduler and its workers per call
            Mono.fromCallable(() -> n * 2).subscribeOn(scheduler).block();
        }, n -> Mono.fromCallable(() -> n * 2).subscribeOn(SHARED).block());
    }
}
