package dev.threadleak.agent.hook;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ThreadLeakHookTest {
    @AfterEach
    void unset() {
        ThreadLeakHook.onStart = null;
        ThreadLeakHook.onSubmit = null;
        ThreadLeakHook.FAILURES.set(0);
        ThreadLeakHook.firstFailure = null;
    }

    @Test
    void whatASinkThrowsIsSwallowedCountedAndTheFirstKept() {
        ThreadLeakHook.onStart = t -> {
            throw new IllegalStateException("first " + t.getName());
        };
        ThreadLeakHook.onSubmit = (executor, task) -> {
            throw new OutOfMemoryError("second");
        };
        ThreadLeakHook.started(new Thread("worker-1")); // does not throw
        ThreadLeakHook.submitted(new Object(), new Object());
        ThreadLeakHook.started(new Thread("worker-2"));
        assertThat(ThreadLeakHook.FAILURES.get()).isEqualTo(3);
        assertThat(ThreadLeakHook.firstFailure).isEqualTo("java.lang.IllegalStateException: first worker-1");
    }

    @Test
    void aSinkThatWorksCountsNothing() {
        ThreadLeakHook.onStart = t -> { };
        ThreadLeakHook.started(new Thread());
        assertThat(ThreadLeakHook.FAILURES.get()).isZero();
        assertThat(ThreadLeakHook.firstFailure).isNull();
    }
}
