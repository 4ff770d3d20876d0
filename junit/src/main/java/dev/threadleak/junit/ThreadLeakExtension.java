package dev.threadleak.junit;

import dev.threadleak.junit.DetectThreadLeaks.OnLeak;
import dev.threadleak.junit.DetectThreadLeaks.Scope;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter side of {@link DetectThreadLeaks}; also registered for a whole suite by extension
 * autodetection ({@code junit.jupiter.extensions.autodetection.enabled=true}), with class scope unless a class says
 * otherwise. Each scope (class, test) takes a baseline when it begins; the check at its end fails with the threads
 * that appeared and are still alive after the settle time. A thread already reported is not reported again.
 *
 * <p>Which test started a thread: in a serial run, whatever appeared during a test is that test's. Under parallel
 * execution ({@code junit.jupiter.execution.parallel.enabled=true}) the agent says which thread started each
 * thread; a thread belongs to the test running on the thread that started it (directly or through threads it
 * started). Tests can nest on one worker thread (work-stealing while a test blocks), so each worker keeps a stack of
 * the tests it runs, and threads are charged to the innermost one whenever a test begins or ends on it. Without the
 * agent, parallel runs are checked per class only, and a class that ran alongside another only warns.
 */
public final class ThreadLeakExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    /** Configuration parameters (junit-platform.properties, or -D system properties) for classes that do not say. */
    public static final String SCOPE_PARAMETER = "threadleak.scope", ON_LEAK_PARAMETER = "threadleak.onLeak",
            SETTLE_PARAMETER = "threadleak.settle.millis";
    private static final String PARALLEL_PARAMETER = "junit.jupiter.execution.parallel.enabled";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ThreadLeakExtension.class);
    private static final String CLASS_KEY = "class", TEST_KEY = "test";

    /**
     * What the classes of one run of the test engine share, kept in the root context's store: a JVM that runs tests
     * again (an IDE, a test of tests) starts afresh.
     */
    private static final class Run {
        final Ancestry ancestry = new Ancestry();
        /** The {@link ThreadLeakIgnores} services' ignores, looked up once per run. */
        final Ignores services = Ignores.defaults();
        /** Parallel runs with the agent: the tests and classes running on each thread, innermost last (work-stealing nests them). */
        final Map<Thread, Deque<Origin>> runningOn = new HashMap<>();
        /** Class scopes running now (parallel runs without the agent: did another class run alongside?). */
        final Set<ClassScope> running = new HashSet<>();
        final AtomicBoolean saidParallelWithoutAgent = new AtomicBoolean();
    }

    /** What a thread is charged to: a test, or a class outside its tests. */
    private record Origin(String className, String label) {}

    private record Settings(Scope scope, OnLeak onLeak, Duration settle, Ignores ignores, boolean parallel) {
        /** Parallel with the agent: threads are charged to the test whose thread started them. */
        boolean traced() {
            return parallel && AgentView.present();
        }
    }

    private static final class ClassScope {
        final Run run;
        final ThreadLeaks.Baseline baseline;
        final Origin origin;
        final Settings settings;
        boolean overlapped;

        ClassScope(Run run, Class<?> testClass, Settings settings) {
            this.run = run;
            this.baseline = ThreadLeaks.baseline(run.ancestry);
            this.origin = new Origin(testClass.getName(), "class " + testClass.getSimpleName() + " outside its tests (@BeforeAll, @AfterAll)");
            this.settings = settings;
        }
    }

    private record TestScope(ThreadLeaks.Baseline baseline, Origin origin) {}

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        Run run = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Run.class, k -> new Run(), Run.class);
        ClassScope scope = new ClassScope(run, testClass, settings(context, testClass, run.services));
        synchronized (run.running) {
            if (!run.running.isEmpty()) {
                scope.overlapped = true;
                for (ClassScope other : run.running) other.overlapped = true;
            }
            run.running.add(scope);
        }
        if (scope.settings.traced()) enter(run, scope.origin);
        context.getStore(NAMESPACE).put(CLASS_KEY, scope);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ClassScope cls = context.getStore(NAMESPACE).get(CLASS_KEY, ClassScope.class);
        if (cls == null) return;
        Class<?> testClass = context.getRequiredTestClass();
        String method = context.getTestMethod().map(Method::getName).orElse("?");
        String label = "test " + testClass.getSimpleName() + "." + method + "()"
                + (context.getDisplayName().equals(method + "()") ? "" : " \"" + context.getDisplayName() + "\"");
        Origin origin = new Origin(testClass.getName(), label);
        if (cls.settings.traced()) enter(cls.run, origin);
        context.getStore(NAMESPACE).put(TEST_KEY, new TestScope(ThreadLeaks.baseline(cls.run.ancestry), origin));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestScope test = context.getStore(NAMESPACE).remove(TEST_KEY, TestScope.class);
        ClassScope cls = context.getStore(NAMESPACE).get(CLASS_KEY, ClassScope.class);
        if (test == null || cls == null) return;
        Settings settings = cls.settings;
        Ancestry ancestry = cls.run.ancestry;
        boolean traced = settings.traced();
        if (traced) leave(cls.run, test.origin);
        Ignores ignores = settings.ignores.plus(ignoresOn(context.getTestMethod().orElse(null)));
        // serial: whatever appeared during the test is the test's; parallel: what the agent traced to it
        BiPredicate<Thread, Map<String, Object>> ours = (t, facts) -> !ancestry.reported(t.getId())
                && (traced ? ancestry.owner(t.getId()) == test.origin : !settings.parallel);
        ThreadLeaks.Options options = ThreadLeaks.options(ignores).since(test.baseline).charging(ancestry, ours);
        if (settings.scope == Scope.TEST && (traced || !settings.parallel)) {
            List<LeakedThread> leaks = new ArrayList<>();
            for (LeakedThread t : ThreadLeaks.find(options.settle(settings.settle))) {
                ancestry.own(t.tid(), test.origin);
                leaks.add(t.withStartedByTest(test.origin.label));
            }
            act(ancestry, test.origin.label, leaks, settings, settings.onLeak, "");
        } else if (!settings.parallel) {
            // class scope: no waiting now, only who started what, for the check at the end of the class
            for (LeakedThread t : ThreadLeaks.find(options.settle(Duration.ZERO))) ancestry.own(t.tid(), test.origin);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ClassScope cls = context.getStore(NAMESPACE).remove(CLASS_KEY, ClassScope.class);
        if (cls == null) return;
        Run run = cls.run;
        synchronized (run.running) {
            run.running.remove(cls);
        }
        Settings settings = cls.settings;
        boolean traced = settings.traced();
        if (traced) leave(run, cls.origin);
        OnLeak onLeak = settings.onLeak;
        String note = "";
        if (settings.parallel && !traced) {
            if (run.saidParallelWithoutAgent.compareAndSet(false, true)) {
                AgentView.warn("parallel execution without the threadleak agent: leaks are checked per class, not per test;"
                        + " a class that ran alongside another only warns (add the agent to attribute every thread)");
            }
            if (cls.overlapped) {
                onLeak = OnLeak.WARN;
                note = "\n\n(other test classes ran at the same time and the threadleak agent is not loaded: these threads may be theirs)";
            }
        }
        BiPredicate<Thread, Map<String, Object>> ours = (t, facts) -> {
            if (run.ancestry.reported(t.getId())) return false;
            if (!traced) return true;
            return run.ancestry.owner(t.getId()) instanceof Origin o && o.className.equals(cls.origin.className);
        };
        List<LeakedThread> leaks = new ArrayList<>();
        for (LeakedThread t : ThreadLeaks.find(ThreadLeaks.options(settings.ignores).since(cls.baseline)
                .settle(settings.settle).charging(run.ancestry, ours))) {
            leaks.add(t.withStartedByTest((run.ancestry.owner(t.tid()) instanceof Origin o ? o : cls.origin).label));
        }
        act(run.ancestry, "class " + context.getRequiredTestClass().getSimpleName(), leaks, settings, onLeak, note);
    }

    /** A test or class begins on this thread: what this thread started so far belongs to what ran here until now. */
    private static void enter(Run run, Origin origin) {
        Thread runner = Thread.currentThread();
        run.ancestry.runsTests(runner.getId());
        chargeToInnermost(run, runner);
        synchronized (run.runningOn) {
            run.runningOn.computeIfAbsent(runner, k -> new ArrayDeque<>()).addLast(origin);
        }
    }

    /** A test or class ends on this thread: what this thread started since the last change is that test's or class's. */
    private static void leave(Run run, Origin origin) {
        Thread runner = Thread.currentThread();
        chargeToInnermost(run, runner);
        synchronized (run.runningOn) {
            Deque<Origin> running = run.runningOn.get(runner);
            if (running != null) {
                running.removeLastOccurrence(origin);
                if (running.isEmpty()) run.runningOn.remove(runner);
            }
        }
    }

    private static void chargeToInnermost(Run run, Thread runner) {
        Origin innermost;
        synchronized (run.runningOn) {
            Deque<Origin> running = run.runningOn.get(runner);
            innermost = running == null ? null : running.peekLast();
        }
        if (innermost == null) return;
        List<Long> tids = new ArrayList<>();
        ThreadLeaks.Live live = ThreadLeaks.Live.now(run.ancestry);
        for (Thread t : live.threads()) {
            if (!Ignores.builtIn(t, live.facts(t))) tids.add(t.getId()); // the test engine's workers are nobody's
        }
        run.ancestry.claim(tids, runner.getId(), innermost);
    }

    private static void act(Ancestry ancestry, String scope, List<LeakedThread> leaks, Settings settings, OnLeak onLeak, String note) {
        if (leaks.isEmpty()) return;
        for (LeakedThread t : leaks) ancestry.report(t.tid());
        String message = LeakReport.message(scope, leaks, settings.settle) + note;
        switch (onLeak) {
            case WARN -> AgentView.warn("warning: " + message);
            case FAIL -> throw new ThreadLeakError(message, leaks);
            case FAIL_AND_INTERRUPT -> throw new ThreadLeakError(message + "\n\n" + interruptAndJoin(leaks, settings.settle), leaks);
        }
    }

    /** Interrupts every leaked thread, then waits up to {@code settle} in all for them to end. */
    private static String interruptAndJoin(List<LeakedThread> leaks, Duration settle) {
        for (LeakedThread t : leaks) t.thread().interrupt();
        long deadline = System.nanoTime() + settle.toNanos();
        List<String> running = new ArrayList<>();
        for (LeakedThread t : leaks) {
            try {
                t.thread().join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.thread().isAlive()) running.add("\"" + t.name() + "\"");
        }
        return "interrupted the leaked threads: " + (leaks.size() - running.size()) + " ended"
                + (running.isEmpty() ? "" : ", still running after " + settle.toMillis() + " ms: " + LeakReport.firstOf(running));
    }

    private static Settings settings(ExtensionContext context, Class<?> testClass, Ignores services) {
        Optional<DetectThreadLeaks> annotation = Optional.empty();
        for (Class<?> c = testClass; c != null && annotation.isEmpty(); c = c.getEnclosingClass()) {
            annotation = AnnotationSupport.findAnnotation(c, DetectThreadLeaks.class);
        }
        Scope scope = annotation.map(DetectThreadLeaks::scope)
                .orElseGet(() -> context.getConfigurationParameter(SCOPE_PARAMETER, s -> Scope.valueOf(s.trim().toUpperCase(Locale.ROOT))).orElse(Scope.CLASS));
        OnLeak onLeak = annotation.map(DetectThreadLeaks::onLeak)
                .orElseGet(() -> context.getConfigurationParameter(ON_LEAK_PARAMETER, s -> OnLeak.valueOf(s.trim().toUpperCase(Locale.ROOT))).orElse(OnLeak.FAIL));
        long settleMillis = annotation.map(DetectThreadLeaks::settleMillis).filter(ms -> ms >= 0)
                .orElseGet(() -> context.getConfigurationParameter(SETTLE_PARAMETER, s -> Long.parseLong(s.trim()))
                        .orElse(ThreadLeaks.DEFAULT_SETTLE.toMillis()));
        Ignores ignores = services;
        Set<Class<?>> seen = new HashSet<>();
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            for (Class<?> s = c; s != null && s != Object.class; s = s.getSuperclass()) {
                if (seen.add(s)) ignores = ignores.plus(ignoresOn(s));
            }
        }
        boolean parallel = context.getConfigurationParameter(PARALLEL_PARAMETER, Boolean::parseBoolean).orElse(false);
        return new Settings(scope, onLeak, Duration.ofMillis(settleMillis), ignores, parallel);
    }

    private static Ignores ignoresOn(AnnotatedElement element) {
        List<String> names = new ArrayList<>(), runningIn = new ArrayList<>(), startedBy = new ArrayList<>();
        if (element != null) {
            for (IgnoreThreads i : new LinkedHashSet<>(AnnotationSupport.findRepeatableAnnotations(element, IgnoreThreads.class))) {
                names.addAll(List.of(i.value()));
                runningIn.addAll(List.of(i.runningIn()));
                startedBy.addAll(List.of(i.startedBy()));
            }
        }
        return Ignores.NONE.plus(names, runningIn, startedBy);
    }
}
