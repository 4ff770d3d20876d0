package dev.threadleak.agent.foreign;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text thread dumps of {@code jstack [-l]}, {@code jcmd <pid> Thread.print [-l]} and JFR's
 * {@code jdk.ThreadDump} (one layout, JDK 17 to 25), any number of them one after another in one text (a support
 * bundle's {@code jstack >> dumps.txt}). Only Java threads are read (a header with {@code #id}); the VM's own threads
 * (GC, compiler) have no id and are left out, as a JVM's thread list leaves them out.
 */
final class JstackText {
    /** What starts a dump; the line before may be its time, and the one before that jcmd's {@code <pid>:}. */
    static final String FULL_THREAD_DUMP = "Full thread dump ";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    /** {@code "name" #12 [4242] daemon prio=5 os_prio=0 cpu=1.2ms elapsed=3.4s tid=0x... nid=... waiting on condition [...]}. */
    private static final Pattern HEADER = Pattern.compile("^\"(.*)\" #(\\d+)(?: \\[\\d+\\])?( daemon)?(?: prio=(\\d+))?.*$");
    private static final Pattern ELAPSED = Pattern.compile(" elapsed=(\\d+(?:\\.\\d+)?)s");
    private static final Pattern VERSION = Pattern.compile("\\(([^ ,)]+)");
    /** {@code - waiting on <0x000000069dc582e8> (a java.lang.ref.ReferenceQueue$Lock)}. */
    private static final Pattern LOCK = Pattern.compile("^- ([a-z -]+?)\\s+<0x0*([0-9a-f]+)> \\(a (.+)\\)$");

    /** Under {@code Locked ownable synchronizers:}, {@code - <0x000000069ec70448> (a java.util.concurrent.locks.ReentrantLock$NonfairSync)}. */
    private static final Pattern SYNCHRONIZER = Pattern.compile("^- <0x0*([0-9a-f]+)> \\(a (.+)\\)$");

    private JstackText() {}

    /** True when {@code head} (a text's first lines) starts a thread dump of this layout. */
    static boolean looksLikeOne(String head) {
        return head.contains(FULL_THREAD_DUMP);
    }

    /**
     * The dumps in {@code text}, in their order; each dump's time is its first line's, read in {@code zone} (jstack
     * prints local time without a zone: the reader's is assumed). {@code fallbackMs}: the time of a dump that states none.
     */
    static List<JdkDump> parse(String text, String input, ZoneId zone, long fallbackMs) {
        String[] lines = text.split("\r?\n", -1);
        List<JdkDump> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith(FULL_THREAD_DUMP)) continue;
            long at = i > 0 ? time(lines[i - 1], zone) : -1;
            long pid = i > 1 ? pid(lines[i - 2]) : -1;
            String version = version(lines[i]);
            int end = i + 1;
            while (end < lines.length && !lines[end].startsWith(FULL_THREAD_DUMP)) end++;
            long takenAt = at >= 0 ? at : fallbackMs;
            out.add(new JdkDump(takenAt, pid, version, input, threads(lines, i + 1, end, takenAt)));
            i = end - 1;
        }
        return out;
    }

    /** The version in a VM's description, {@code OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1) for linux-amd64 ...}: the first word in parentheses. */
    static String version(String description) {
        Matcher v = VERSION.matcher(description);
        return v.find() ? v.group(1) : null;
    }

    /**
     * The dumps of {@code dumps} that are jstack text, their times made precise: a dump's first line gives its time to the
     * second only, so dumps taken within a second of each other would tie, and growth could not be judged between them.
     * Each thread's {@code elapsed} time is precise to 10 ms, and the JVM's oldest thread has been alive since the JVM
     * started: a dump's time is the JVM's start plus its oldest thread's elapsed time. The start is the latest that every
     * dump of the JVM allows (each dump's printed second, less its oldest elapsed time). Dumps that do not agree on it to
     * within a second are of different JVMs, or lack a thread's elapsed time: they are left as printed. Dumps are grouped
     * by process id (jstack prints none: one group).
     */
    static List<JdkDump> preciseTimes(List<JdkDump> dumps) {
        Map<Long, Long> startOf = new HashMap<>();
        Map<Long, Boolean> agree = new HashMap<>();
        for (JdkDump d : dumps) {
            long oldest = oldestElapsed(d);
            if (!d.input().equals(Snapshot.JSTACK_INPUT)) continue;
            if (oldest < 0) agree.put(d.pid(), false);
            else startOf.merge(d.pid(), d.takenAtMs() - oldest, Math::max);
        }
        for (JdkDump d : dumps) {
            Long start = startOf.get(d.pid());
            if (d.input().equals(Snapshot.JSTACK_INPUT) && start != null && start + oldestElapsed(d) >= d.takenAtMs() + 1000) agree.put(d.pid(), false);
        }
        List<JdkDump> out = new ArrayList<>(dumps.size());
        for (JdkDump d : dumps) {
            Long start = startOf.get(d.pid());
            if (!d.input().equals(Snapshot.JSTACK_INPUT) || start == null || agree.containsKey(d.pid())) {
                out.add(d);
                continue;
            }
            long at = start + oldestElapsed(d), shift = at - d.takenAtMs();
            List<JdkThread> threads = new ArrayList<>(d.threads().size());
            for (JdkThread t : d.threads()) threads.add(t.startedAtMs() < 0 ? t : t.started(t.startedAtMs() + shift, t.creation(), t.starter()));
            out.add(new JdkDump(at, d.pid(), d.javaVersion(), d.input(), List.copyOf(threads), d.jvmStartedAtMs(), d.command()));
        }
        return out;
    }

    /** The longest elapsed time of a thread of the dump, or -1 when no thread has one. */
    private static long oldestElapsed(JdkDump d) {
        long oldest = -1;
        for (JdkThread t : d.threads()) {
            if (t.startedAtMs() >= 0) oldest = Math.max(oldest, d.takenAtMs() - t.startedAtMs());
        }
        return oldest;
    }

    private static long time(String line, ZoneId zone) {
        try {
            return LocalDateTime.parse(line.trim(), TIME).atZone(zone).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    private static long pid(String line) {
        String t = line.trim();
        if (!t.endsWith(":") || t.length() < 2 || t.length() > 20) return -1;
        for (int i = 0; i < t.length() - 1; i++) {
            if (!Character.isDigit(t.charAt(i))) return -1;
        }
        return Long.parseLong(t.substring(0, t.length() - 1));
    }

    private static List<JdkThread> threads(String[] lines, int from, int to, long takenAtMs) {
        List<JdkThread> out = new ArrayList<>();
        ThreadText t = null;
        for (int i = from; i < to; i++) {
            String line = lines[i];
            Matcher h = line.startsWith("\"") ? HEADER.matcher(line) : null;
            if (h != null && h.matches()) {
                if (t != null) out.add(t.build(takenAtMs));
                t = new ThreadText(h.group(1), Long.parseLong(h.group(2)), h.group(3) != null, h.group(4) == null ? Thread.NORM_PRIORITY : Integer.parseInt(h.group(4)));
                Matcher e = ELAPSED.matcher(line);
                if (e.find()) t.elapsedMs = (long) (Double.parseDouble(e.group(1)) * 1000);
            } else if (line.startsWith("\"")) {
                if (t != null) out.add(t.build(takenAtMs)); // a VM thread (no #id): it ends the Java thread before it
                t = null;
            } else if (t != null) {
                t.line(line.trim());
            }
        }
        if (t != null) out.add(t.build(takenAtMs));
        return out;
    }

    /** One thread's lines as they are read. */
    private static final class ThreadText {
        final String name;
        final long tid;
        final boolean daemon;
        final int priority;
        long elapsedMs = -1;
        String state;
        final List<Frame> stack = new ArrayList<>();
        String parkBlocker, blockedOn, waitingOn;
        final List<OwnedMonitor> monitors = new ArrayList<>();
        final List<String> synchronizers = new ArrayList<>();
        boolean inSynchronizers;

        ThreadText(String name, long tid, boolean daemon, int priority) {
            this.name = name;
            this.tid = tid;
            this.daemon = daemon;
            this.priority = priority;
        }

        void line(String line) {
            if (line.startsWith("java.lang.Thread.State: ")) {
                String s = line.substring("java.lang.Thread.State: ".length());
                int space = s.indexOf(' ');
                state = space < 0 ? s : s.substring(0, space);
            } else if (line.startsWith("at ")) {
                Frame f = frame(line.substring(3));
                if (f != null) stack.add(f);
            } else if (line.equals("Locked ownable synchronizers:")) {
                inSynchronizers = true;
            } else if (line.startsWith("- ")) {
                lock(line);
            }
        }

        private void lock(String line) {
            Matcher m = LOCK.matcher(line);
            if (inSynchronizers) {
                Matcher s = SYNCHRONIZER.matcher(line);
                if (s.matches()) synchronizers.add(s.group(2) + "@" + s.group(1));
                return;
            }
            if (!m.matches()) return; // "- None", "- waiting on <no object reference available>"
            String lock = m.group(3) + "@" + m.group(2);
            switch (m.group(1)) {
                case "locked" -> monitors.add(new OwnedMonitor(Math.max(0, stack.size() - 1), lock));
                case "waiting to lock", "waiting to re-lock in wait()" -> blockedOn = lock;
                case "waiting on" -> waitingOn = lock;
                case "parking to wait for" -> parkBlocker = lock;
                default -> { }
            }
        }

        JdkThread build(long takenAtMs) {
            // "- locked" is printed for the monitor an Object.wait released too: it is not held while waiting
            if (waitingOn != null) monitors.removeIf(m -> m.lock().equals(waitingOn));
            return new JdkThread(tid, name, daemon, priority, state == null ? "RUNNABLE" : state, false,
                    elapsedMs < 0 ? -1 : takenAtMs - elapsedMs, List.copyOf(stack), parkBlocker, blockedOn, waitingOn,
                    List.copyOf(monitors), List.copyOf(synchronizers), null, null, null);
        }
    }

    /**
     * {@code java.lang.Thread.sleep(java.base@17.0.15/Native Method)}, {@code Leak.main(Leak.java:14)},
     * {@code Leak$$Lambda/0x0000000086045660.run(Unknown Source)}; null when the line is no frame.
     */
    static Frame frame(String text) {
        int open = text.lastIndexOf('('), close = text.lastIndexOf(')');
        if (open < 0 || close < open) return null;
        String where = text.substring(0, open);
        int prefix = where.lastIndexOf('/'); // a JSON dump's module (java.base/...) or class loader (app//...), but a hidden class's /0x... is its name
        if (prefix >= 0 && where.startsWith("0x", prefix + 1)) prefix = where.lastIndexOf('/', prefix - 1);
        if (prefix >= 0) where = where.substring(prefix + 1);
        String location = text.substring(open + 1, close);
        int slash = location.lastIndexOf('/'); // a module and version, or a class loader's name, before it
        if (slash >= 0) location = location.substring(slash + 1);
        int dot = where.lastIndexOf('.');
        if (dot <= 0) return null;
        String cls = where.substring(0, dot), method = where.substring(dot + 1);
        if (location.equals("Native Method")) return new Frame(cls, method, null, -2);
        if (location.equals("Unknown Source")) return new Frame(cls, method, null, -1);
        int colon = location.lastIndexOf(':');
        if (colon < 0) return new Frame(cls, method, location, -1);
        try {
            return new Frame(cls, method, location.substring(0, colon), Integer.parseInt(location.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return new Frame(cls, method, location, -1);
        }
    }
}
