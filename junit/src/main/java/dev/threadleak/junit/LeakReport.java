package dev.threadleak.junit;

import dev.threadleak.names.SharedNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * The text of a leak failure: one block per thread, read like jstack. A big leak is folded into groups of alike
 * threads so that the message stays a few KB: a leak of 10,000 threads once printed 300,000 lines (issue 23).
 */
final class LeakReport {
    /** Frames of a current stack shown past the first application frame when there is none. */
    private static final int MAX_FRAMES = 12;
    /** Threads of a group shown in full, groups shown, and names listed by {@link #firstOf}. */
    static final int SHOWN_PER_GROUP = 3, SHOWN_GROUPS = 10, SHOWN_NAMES = 10;
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    /** What differs between threads waiting alike: a lock's identity hash and its owner. */
    private static final Pattern LOCK_IDENTITY = Pattern.compile("@\\p{XDigit}+|" + Pattern.quote(SharedNames.WAIT_OWNED_BY) + "\".*\"$");
    static final String NO_AGENT = "(without the threadleak agent: creation sites, the tests that started the threads and virtual"
            + " threads are not known; add -javaagent:path/to/threadleak-agent.jar to the test JVM, e.g. Surefire's argLine)";

    private LeakReport() {}

    static String message(String scope, List<LeakedThread> leaks, Duration settle) {
        return message(scope, leaks, settle, ThreadLeaks.agentPresent());
    }

    static String message(String scope, List<LeakedThread> leaks, Duration settle, boolean agent) {
        StringBuilder out = new StringBuilder();
        out.append(count(leaks.size(), "thread")).append(" leaked by ").append(scope)
                .append(" (alive after it, not before it; still running after ").append(settle.toMillis()).append(" ms)");
        List<List<LeakedThread>> groups = groups(leaks, agent);
        if (groups.size() <= SHOWN_GROUPS && groups.stream().allMatch(g -> g.size() <= SHOWN_PER_GROUP)) {
            // nothing to fold: every thread, in the order found
            for (LeakedThread t : leaks) thread(out.append("\n\n"), t, agent);
        } else {
            groups.sort(Comparator.comparingInt(g -> -g.size())); // stable: among equals, the first found first
            for (List<LeakedThread> g : groups.subList(0, Math.min(SHOWN_GROUPS, groups.size()))) {
                // a small group reads as an unfolded leak does
                if (g.size() > SHOWN_PER_GROUP) header(out.append("\n\n"), g, agent);
                for (LeakedThread t : g.subList(0, Math.min(SHOWN_PER_GROUP, g.size()))) thread(out.append("\n\n"), t, agent);
                if (g.size() > SHOWN_PER_GROUP) out.append("\n\n... and ").append(number(g.size() - SHOWN_PER_GROUP)).append(" more like them");
            }
            if (groups.size() > SHOWN_GROUPS) {
                int rest = 0;
                for (List<LeakedThread> g : groups.subList(SHOWN_GROUPS, groups.size())) rest += g.size();
                out.append("\n\n... and ").append(number(groups.size() - SHOWN_GROUPS)).append(" more ")
                        .append(groups.size() - SHOWN_GROUPS == 1 ? "group" : "groups").append(" (").append(count(rest, "thread")).append(')');
            }
        }
        if (!agent) out.append("\n\n").append(NO_AGENT);
        return out.toString();
    }

    /**
     * Alike threads, in the order first found: with a creation site, those started there; else those with the same
     * name family now at the same frame. Either way in the same state, waiting for the same kind of thing.
     */
    static List<List<LeakedThread>> groups(List<LeakedThread> leaks, boolean agent) {
        Map<List<Object>, List<LeakedThread>> groups = new LinkedHashMap<>();
        for (LeakedThread t : leaks) {
            String site = site(t, agent);
            List<Object> key = Arrays.asList(site, site != null ? null : shape(t.name()), site != null ? null : stackTop(t),
                    t.virtual(), t.state(), waitKind(t));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        return new ArrayList<>(groups.values());
    }

    /** {@code 10,000 threads created at Foo.bar(Foo.java:12), named worker-*, WAITING (parked on ...):} */
    private static void header(StringBuilder out, List<LeakedThread> group, boolean agent) {
        LeakedThread first = group.get(0);
        String site = site(first, agent);
        out.append(count(group.size(), first.virtual() ? "virtual thread" : "thread"));
        if (site != null) out.append(" created at ").append(site).append(',');
        out.append(" named ").append(families(group)).append(", ").append(first.state());
        if (waitKind(first) != null) out.append(" (").append(waitKind(first)).append(')');
        if (site == null && stackTop(first) != null) out.append(", now at ").append(stackTop(first));
        out.append(':');
    }

    private static String site(LeakedThread t, boolean agent) {
        return agent ? t.creationSite() : null;
    }

    /** The frame the stack block ends at: the first application frame, else the top. */
    private static String stackTop(LeakedThread t) {
        int i = Math.max(0, Describe.firstApplicationFrame(t.stack()));
        return t.stack().isEmpty() ? null : Describe.frame(t.stack().get(i));
    }

    private static String waitKind(LeakedThread t) {
        return t.waitReason() == null ? null : LOCK_IDENTITY.matcher(t.waitReason()).replaceAll("");
    }

    /** The group's name families ({@code pool-1-thread-*}), at most three, then how many more names. */
    private static String families(List<LeakedThread> group) {
        Map<List<String>, List<String>> byShape = new LinkedHashMap<>();
        for (LeakedThread t : group) byShape.computeIfAbsent(shape(t.name()), k -> new ArrayList<>()).add(t.name());
        List<String> shown = new ArrayList<>();
        int more = 0;
        for (List<String> names : byShape.values()) {
            if (shown.size() < 3) shown.add(family(names));
            else more += names.size();
        }
        return String.join(", ", shown) + (more == 0 ? "" : " and " + number(more) + (more == 1 ? " other name" : " other names"));
    }

    /** The texts around a name's runs of digits: names of one shape differ only in their numbers. */
    static List<String> shape(String name) {
        return Arrays.asList(DIGITS.split(name, -1));
    }

    /** Names of one shape as one: the numbers they share, {@code *} for those that differ ({@code pool-1-thread-*}). */
    static String family(List<String> names) {
        List<List<String>> numbers = new ArrayList<>();
        for (String name : names) numbers.add(DIGITS.matcher(name).results().map(MatchResult::group).toList());
        List<String> texts = shape(names.get(0)), first = numbers.get(0);
        StringBuilder out = new StringBuilder(texts.get(0));
        for (int i = 0; i < first.size(); i++) {
            boolean same = true;
            for (List<String> n : numbers) same &= n.get(i).equals(first.get(i));
            out.append(same ? first.get(i) : "*").append(texts.get(i + 1));
        }
        return out.toString();
    }

    /** The first {@link #SHOWN_NAMES} names, then how many more: all threads are acted on, only the list is bounded. */
    static String firstOf(List<String> names) {
        if (names.size() <= SHOWN_NAMES) return String.join(", ", names);
        return String.join(", ", names.subList(0, SHOWN_NAMES)) + " and " + number(names.size() - SHOWN_NAMES) + " more";
    }

    private static String number(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String count(int n, String what) {
        return number(n) + " " + what + (n == 1 ? "" : "s");
    }

    private static void thread(StringBuilder out, LeakedThread t, boolean agent) {
        out.append(t); // its header line
        if (agent) out.append("\n    created at: ").append(t.creationSite() != null ? t.creationSite()
                // the agent saw it start (it knows the starter) but sampled its stack out: no line rather than a borrowed one
                : t.starter() != null ? "not captured (the agent samples creation stacks: its starts option)" : "unknown (started before the agent)");
        if (t.startedByTest() != null || t.starter() != null) {
            out.append("\n    started by: ");
            if (t.startedByTest() != null) out.append(t.startedByTest());
            if (t.starter() != null) out.append(t.startedByTest() != null ? " (thread " : "thread ").append(t.starter())
                    .append(t.startedByTest() != null ? ")" : "");
        }
        if (t.executor() != null) {
            out.append("\n    pool of:    ").append(t.executor().substring(t.executor().lastIndexOf('.') + 1));
            if (t.executorSite() != null) out.append(" built at ").append(t.executorSite());
            if (t.executorShutdown() != null) out.append(t.executorShutdown() ? ", shut down" : ", never shut down");
        }
        out.append("\n    stack:");
        int first = Describe.firstApplicationFrame(t.stack());
        int shown = first >= 0 ? first + 1 : Math.min(MAX_FRAMES, t.stack().size());
        frames(out, t.stack(), shown);
        if (!t.creationStack().isEmpty()) {
            out.append("\n    creation stack:");
            frames(out, t.creationStack(), untilTestFramework(t.creationStack()));
        }
    }

    /** The creation stack down to the test framework's frames (reflection or JUnit below the application's first frame). */
    private static int untilTestFramework(List<StackTraceElement> stack) {
        for (int i = Math.max(0, Describe.firstApplicationFrame(stack)); i < stack.size(); i++) {
            String cls = stack.get(i).getClassName();
            if (cls.startsWith("org.junit.") || cls.startsWith("jdk.internal.reflect.") || cls.startsWith("java.lang.reflect.")) {
                return Math.max(i, 1);
            }
        }
        return Math.min(MAX_FRAMES, stack.size());
    }

    private static void frames(StringBuilder out, List<StackTraceElement> stack, int shown) {
        for (int i = 0; i < shown; i++) out.append("\n        at ").append(Describe.frame(stack.get(i)));
        if (stack.size() > shown) out.append("\n        ... ").append(stack.size() - shown).append(" more");
    }
}
