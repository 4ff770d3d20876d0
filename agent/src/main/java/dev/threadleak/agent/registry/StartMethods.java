package dev.threadleak.agent.registry;

/**
 * The thread-start methods the hook is inlined into, in one place: {@code HookInstaller} hooks them, and
 * {@link SiteTable} cuts them (with the hook) off the top of creation stacks.
 */
public final class StartMethods {
    public static final String NAME = "start";
    public static final String THREAD = "java.lang.Thread", VIRTUAL_THREAD = "java.lang.VirtualThread";

    private StartMethods() {}

    /** True for a {@code start} method of Thread or VirtualThread (binary class names). */
    public static boolean isHooked(String className, String method) {
        return method.equals(NAME) && (className.equals(THREAD) || className.equals(VIRTUAL_THREAD));
    }
}
