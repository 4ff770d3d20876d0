package dev.threadleak.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Threads a leak check leaves alone. Repeatable, on a test class, its superclasses, enclosing classes, a test
 * method or a meta-annotation; all that apply are merged. Patterns are globs: {@code *} is any run of characters,
 * {@code ?} one character.
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(IgnoreThreads.List.class)
public @interface IgnoreThreads {
    /** Thread names, e.g. {@code "grpc-default-executor-*"}. */
    String[] value() default {};

    /** Frames of the thread's current stack, as {@code Class.method} globs, e.g. {@code "io.grpc.internal.*"}. */
    String[] runningIn() default {};

    /**
     * Frames of the thread's creation stack (where it was started), as {@code Class.method} globs, e.g.
     * {@code "com.zaxxer.hikari.*"}. Needs the threadleak agent; without it this matches nothing.
     */
    String[] startedBy() default {};

    @Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Documented
    @Inherited
    @interface List {
        IgnoreThreads[] value();
    }
}
