package dev.threadleak.agent.config;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The agent's only output: one line each, prefixed, and each distinct problem once (per key, until
 * {@link #clear}). One instance per agent, handed to what warns, so what was said is the agent's own state
 * and tests can see the lines. With option {@code log=debug} it also says each fallback to a slower path
 * ({@link #debug}).
 */
public final class Log {
    /** Where lines go: {@code err}, or else (tests) {@code out}. Not a Consumer around err: a class more in premain. */
    private final PrintStream err;
    private final Consumer<String> out;
    private final Set<String> said = ConcurrentHashMap.newKeySet();
    /** Option {@code log=debug}: set once the options are parsed. */
    private volatile boolean debug;

    /** @param out receives each line, prefix included */
    Log(Consumer<String> out) {
        this(null, out);
    }

    private Log(PrintStream err, Consumer<String> out) {
        this.err = err;
        this.out = out;
    }

    /** Lines to {@code err} (the agent's: System.err). */
    public static Log to(PrintStream err) {
        return new Log(err, null);
    }

    public void warn(String message) {
        String line = "[threadleak] " + message;
        if (err != null) err.println(line);
        else out.accept(line);
    }

    /** Warns the first time {@code key} comes up; later calls with the same key are silent until {@link #clear}. */
    public void warnOnce(String key, String message) {
        if (said.add(key)) warn(message);
    }

    /** Says {@link #debug} lines too (option {@code log=debug}). */
    public void debugging(boolean on) {
        debug = on;
    }

    /**
     * Under {@code log=debug}, the first time {@code key} comes up: a fallback the agent took, naming what failed and
     * what it does instead. Silent otherwise: the fallback works, only slower.
     */
    public void debug(String key, String message) {
        if (debug && said.add("debug " + key)) warn("debug: " + message);
    }

    /** The problem of {@code key} is over: the next one is said again. */
    public void clear(String key) {
        said.remove(key);
    }
}
