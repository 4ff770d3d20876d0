package dev.threadleak.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test class (or each test, with {@code scope = TEST}) that leaves threads behind: threads alive when the
 * scope ends that were not alive when it began, after waiting {@link #settleMillis} for them to end. On a class, a
 * superclass, or an annotation of the user's own (meta-annotation). With the threadleak agent the failure names the
 * line that started each thread and the test that started it.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ThreadLeakExtension.class)
public @interface DetectThreadLeaks {
    /** When threads are checked: after all tests of the class (default) or after each test. */
    Scope scope() default Scope.CLASS;

    /** What a leak does: fail (default), warn on stderr, or fail and then interrupt and join the leaked threads. */
    OnLeak onLeak() default OnLeak.FAIL;

    /**
     * How long to wait for leaked-looking threads to end before calling them leaked, in ms; -1 takes the
     * configuration parameter {@code threadleak.settle.millis}, else 2000.
     */
    long settleMillis() default -1;

    enum Scope { CLASS, TEST }

    enum OnLeak {
        FAIL,
        WARN,
        /** Fail, then interrupt the leaked threads and wait (up to the settle time) for them to end, so one leak does not poison later tests. */
        FAIL_AND_INTERRUPT
    }
}
