package dev.threadleak.samples;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Virtual-thread API (JDK 21+) reached through method handles, so that this module compiles with
 * {@code --release 17}. The samples call {@link #START} themselves, so that their own line is the
 * one in the new thread's creation stack.
 */
final class VirtualThreads {

    /** {@code Thread.Builder.start(Runnable)}: {@code (Thread.Builder, Runnable) -> Thread}; null before JDK 21. */
    static final MethodHandle START;
    private static final MethodHandle OF_VIRTUAL;
    private static final MethodHandle NAME;

    static {
        MethodHandle start = null;
        MethodHandle ofVirtual = null;
        MethodHandle name = null;
        if (supported()) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> builder = Class.forName("java.lang.Thread$Builder");
                Class<?> ofVirtualBuilder = Class.forName("java.lang.Thread$Builder$OfVirtual");
                ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualBuilder));
                name = lookup.findVirtual(ofVirtualBuilder, "name", MethodType.methodType(ofVirtualBuilder, String.class));
                start = lookup.findVirtual(builder, "start", MethodType.methodType(Thread.class, Runnable.class))
                        .asType(MethodType.methodType(Thread.class, Object.class, Runnable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        START = start;
        OF_VIRTUAL = ofVirtual;
        NAME = name;
    }

    private VirtualThreads() {
    }

    static boolean supported() {
        return Runtime.version().feature() >= 21;
    }

    /** Exits 2 with a one-line message on stderr when virtual threads are not available. */
    static void requireOrExit(String sample) {
        if (!supported()) {
            System.err.println(sample + " needs JDK 21 or newer");
            System.exit(2);
        }
    }

    /** {@code Thread.ofVirtual().name(name)}, as an Object to pass to {@link #START}. */
    static Object builder(String threadName) {
        try {
            Object b = OF_VIRTUAL.invoke();
            return NAME.invoke(b, threadName);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
