package dev.threadleak.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The agent's only output: one line on stderr, prefixed, and each distinct problem once. */
public final class Log {
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private Log() {}

    public static void warn(String message) {
        System.err.println("[threadleak] " + message);
    }

    /** Warns the first time {@code key} comes up; later calls with the same key are silent until {@link #clear}. */
    public static void warnOnce(String key, String message) {
        if (SAID.add(key)) warn(message);
    }

    public static void clear(String key) {
        SAID.remove(key);
    }
}
