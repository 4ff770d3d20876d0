package dev.threadleak.agent.registry;

/**
 * The stack captured inside Thread.start, and the started thread's class: {@code start} overrides of that class
 * and its superclasses are not the creation site ({@link SiteTable#callerOfStart(StackTraceElement[], Class, String)}).
 * The class rides in the Throwable the hot path allocates anyway (in its padding: no bigger, no extra object),
 * and goes with it when the record is drained.
 */
final class CreationStack extends Throwable {
    private static final long serialVersionUID = 1L;

    final transient Class<?> threadClass;

    CreationStack(Class<?> threadClass) {
        this.threadClass = threadClass;
    }

    /**
     * The stack of the start of {@code thread}, captured here. Typed as its supertype: code that only passes it on needs
     * no check that it is a Throwable, so verifying the registry in premain does not load this class.
     */
    static Throwable of(Thread thread) {
        return new CreationStack(thread.getClass());
    }
}
