package dev.threadleak.junit;

import java.util.Collection;
import java.util.List;

/**
 * A library's own list of threads that are not leaks (its shared, by-design background threads), found with
 * {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.threadleak.junit.ThreadLeakIgnores}. Patterns are as in {@link IgnoreThreads}.
 */
public interface ThreadLeakIgnores {
    /** Thread-name globs. */
    Collection<String> threadNames();

    /** {@code Class.method} globs matched against the thread's current stack. */
    default Collection<String> runningIn() {
        return List.of();
    }

    /** {@code Class.method} globs matched against the thread's creation stack (with the agent). */
    default Collection<String> startedBy() {
        return List.of();
    }
}
