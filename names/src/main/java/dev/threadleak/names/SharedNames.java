package dev.threadleak.names;

/**
 * The names that cross from one side of threadleak to another at run time: system properties, the agent's hook
 * class, its in-process view for test libraries, the keys of that view, and the words that say what a thread
 * waits for. The agent (its CLI included) and threadleak-junit both compile against this class.
 *
 * <p>Compile-time constants only: javac copies each value into the classes that use it, so this class is never
 * loaded and neither jar needs it at run time (both depend on it with scope {@code provided}). Anything else here
 * (a method, a constant computed at run time) would be a run-time dependency that users do not have.
 */
public final class SharedNames {
    private SharedNames() {}

    // --- system properties

    /**
     * {@code threadleak.attach}, two uses of one name. Set to {@code true} by a user: threadleak-junit loads the
     * agent into the test JVM at its first check when it is not there. Set by the agent, after {@code threadleak
     * attach} loaded it, to the id that attach passed: the attaching CLI reads it back to tell whether its load
     * started the agent or lost a race to another attach.
     */
    public static final String ATTACH_PROPERTY = "threadleak.attach";
    /** {@code threadleak.agentJar}: the agent jar threadleak-junit self-attaches. */
    public static final String AGENT_JAR_PROPERTY = "threadleak.agentJar";
    /** {@code threadleak.dir}: set by the agent to its dump directory; the CLI reads it in a target JVM. */
    public static final String DIR_PROPERTY = "threadleak.dir";

    // --- the hook class and its view

    /** Binary name of the hook class the agent defines into {@code java.lang}: one per JVM, seen by every class loader. */
    public static final String HOOK_CLASS = "java.lang.ThreadLeakHook";
    /**
     * The hook class's public static field holding the agent's in-process view, a
     * {@code Supplier<Map<Thread, Map<String, Object>>>}: for each live thread the agent knows, the facts below.
     */
    public static final String HOOK_VIEW_FIELD = "threads";

    // --- the view's facts about a thread (a key is absent when the fact is unknown; keys are only ever added)

    /** Long: the thread's id. */
    public static final String FACT_TID = "tid";
    /** Long: epoch ms it was started, or first seen. */
    public static final String FACT_STARTED_AT_MS = "startedAtMs";
    /** String: {@code STARTED}, {@code BEFORE_AGENT} or {@code BY_JVM}. */
    public static final String FACT_ORIGIN = "origin";
    /** Long: the id of the thread that called {@code start}. */
    public static final String FACT_STARTER_TID = "starterTid";
    /** String: the name of the thread that called {@code start}. */
    public static final String FACT_STARTER_NAME = "starterName";
    /** List of StackTraceElement: the stack that called {@code start}, from the caller of {@code start} outwards. */
    public static final String FACT_CREATION_STACK = "creationStack";
    /** Integer: index in the creation stack of the frame to blame, or -1. */
    public static final String FACT_BLAME = "blame";
    /** String: for a pool worker, its executor's class. */
    public static final String FACT_EXECUTOR = "executor";
    /** Boolean: for a pool worker, whether shutdown was called on its executor. */
    public static final String FACT_EXECUTOR_SHUTDOWN = "executorShutdown";
    /** List of StackTraceElement: for a pool worker, where its executor was built (like the creation stack). */
    public static final String FACT_EXECUTOR_STACK = "executorStack";
    /** Integer: index in the executor stack of the frame to blame, or -1. */
    public static final String FACT_EXECUTOR_BLAME = "executorBlame";

    // --- what a thread waits for, in words (the agent's dumps and reports, threadleak-junit's failures)

    /** In {@code Thread.sleep}. */
    public static final String WAIT_SLEEPING = "sleeping";
    /** In {@code Object.wait}, then the monitor. */
    public static final String WAIT_OBJECT_WAIT_ON = "Object.wait on ";
    /** In {@code Thread.join}. */
    public static final String WAIT_THREAD_JOIN = "Thread.join";
    /** BLOCKED entering a monitor, then the monitor (and {@link #WAIT_OWNED_BY} its owner). */
    public static final String WAIT_MONITOR_ENTER_ON = "monitor enter on ";
    /** Parked, then on what. */
    public static final String WAIT_PARKED_ON = "parked on ";
    /** After the lock a thread waits for: the thread that owns it, quoted. */
    public static final String WAIT_OWNED_BY = " owned by ";
    /** WAITING, for nothing the stack names. */
    public static final String WAIT_WAITING = "waiting";
    /** TIMED_WAITING, for nothing the stack names. */
    public static final String WAIT_TIMED_WAITING = "timed waiting";
}
