package dev.threadleak.junit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.regex.Pattern;

/** Which threads a check leaves alone: the built-in list, {@link ThreadLeakIgnores} services, and the user's globs. */
final class Ignores {
    /** Threads the JVM starts for itself, outside the "system" thread group or under names it keeps. */
    private static final Set<String> JVM_NAMES = Set.of("Reference Handler", "Finalizer", "Signal Dispatcher", "Attach Listener",
            "Notification Thread", "Common-Cleaner", "DestroyJavaVM", "process reaper");
    /** The JDK's own threads (cleaners, process reapers, virtual-thread carriers), by class. */
    private static final Set<String> JVM_CLASSES = Set.of("jdk.internal.misc.InnocuousThread", "jdk.internal.misc.CarrierThread");
    /** Test engines, build tools and IDEs: their workers are started from their code, and their threads' classes live there. */
    private static final List<String> TOOL_PACKAGES = List.of("org.junit.", "org.apache.maven.surefire.", "org.gradle.",
            "com.intellij.rt.", "org.eclipse.jdt.internal.junit");
    private static final List<Pattern> TOOL_NAMES = globs(List.of("surefire-forkedjvm-*", "junit-jupiter-timeout-watcher",
            "Test worker", "/127.0.0.1:*", "Monitor Ctrl-Break", "JFR *", "threadleak-*"));
    static final Ignores NONE = new Ignores(List.of(), List.of(), List.of());

    private final List<Pattern> names;
    private final List<Pattern> runningIn;
    private final List<Pattern> startedBy;

    private Ignores(List<Pattern> names, List<Pattern> runningIn, List<Pattern> startedBy) {
        this.names = names;
        this.runningIn = runningIn;
        this.startedBy = startedBy;
    }

    /**
     * The ignores of every {@link ThreadLeakIgnores} service on the class path, looked up at each call: the
     * extension asks once per run, the plain API once per {@link ThreadLeaks#options()}.
     */
    static Ignores defaults() {
        Ignores s = NONE;
        for (ThreadLeakIgnores library : ServiceLoader.load(ThreadLeakIgnores.class, ThreadLeaks.class.getClassLoader())) {
            s = s.plus(library.threadNames(), library.runningIn(), library.startedBy());
        }
        return s;
    }

    Ignores plus(Collection<String> names, Collection<String> runningIn, Collection<String> startedBy) {
        return new Ignores(concat(this.names, globs(names)), concat(this.runningIn, globs(runningIn)), concat(this.startedBy, globs(startedBy)));
    }

    Ignores plus(Ignores more) {
        return new Ignores(concat(names, more.names), concat(runningIn, more.runningIn), concat(startedBy, more.startedBy));
    }

    boolean ignores(Thread t, Map<String, Object> facts) {
        if (builtIn(t, facts) || matches(names, t.getName())) return true;
        if (!runningIn.isEmpty() && anyFrame(runningIn, List.of(t.getStackTrace()))) return true;
        return !startedBy.isEmpty() && anyFrame(startedBy, Describe.creationStack(facts));
    }

    /** The JVM's own threads, the common pool's workers, threadleak's own, and the test tools'. */
    static boolean builtIn(Thread t, Map<String, Object> facts) {
        String cls = t.getClass().getName();
        if (JVM_CLASSES.contains(cls) || startsWithAny(cls, TOOL_PACKAGES)) return true;
        if (JVM_NAMES.contains(t.getName()) || matches(TOOL_NAMES, t.getName())) return true;
        if (t instanceof ForkJoinWorkerThread fj && fj.getPool() == ForkJoinPool.commonPool()) return true;
        ThreadGroup group = t.getThreadGroup();
        if (!Describe.isVirtual(t) && group != null && group.getParent() == null) return true; // the "system" group
        // started by a tool: the first frame outside the JDK of its creation stack is the tool's (agent only)
        for (StackTraceElement e : Describe.creationStack(facts)) {
            if (!Describe.isJdk(e.getClassName())) return startsWithAny(e.getClassName(), TOOL_PACKAGES);
        }
        return false;
    }

    private static boolean anyFrame(List<Pattern> globs, List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            if (matches(globs, e.getClassName() + "." + e.getMethodName())) return true;
        }
        return false;
    }

    private static boolean matches(List<Pattern> globs, String s) {
        for (Pattern p : globs) {
            if (p.matcher(s).matches()) return true;
        }
        return false;
    }

    static boolean startsWithAny(String s, List<String> prefixes) {
        for (String p : prefixes) {
            if (s.startsWith(p)) return true;
        }
        return false;
    }

    /** {@code *} is any run of characters, {@code ?} one character; everything else is literal. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("((?<=[*?])|(?=[*?]))", -1)) {
            if (part.equals("*")) regex.append(".*");
            else if (part.equals("?")) regex.append('.');
            else if (!part.isEmpty()) regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static List<Pattern> globs(Collection<String> globs) {
        List<Pattern> out = new ArrayList<>();
        for (String g : globs) out.add(glob(g));
        return out;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        if (b.isEmpty()) return a;
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
