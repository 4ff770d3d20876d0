package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The application's threads as Go's goroutine profile shows goroutines: identical threads (one stack, rooted at one
 * creation site, in one state and wait, of one name pattern) counted once, as {@code 883 @ …}. The groups feed the pprof
 * profile ({@link Pprof}) and the {@code debug=1} text; {@link #debug2} is Go's {@code debug=2} dump, a block per thread.
 * threadleak's own threads are left out, as the runtime's own goroutines are from Go's.
 */
final class GoProfile {
    private GoProfile() {}

    /** Threads alike in every label but their own name and age: one sample of the profile. */
    static final class Group {
        final List<Frame> frames;
        final String state, wait, site, name;
        final List<ThreadEntry> threads = new ArrayList<>();
        private final int hash;

        private Group(List<Frame> frames, String state, String wait, String site, String name) {
            this.frames = frames;
            this.state = state;
            this.wait = wait;
            this.site = site;
            this.name = name;
            this.hash = Objects.hash(frames, state, wait, site, name);
        }

        /** The executor its threads work for when they share one; {@code N executors} when they do not; null for none. */
        String executor(Snapshot s) {
            String shared = null;
            int executors = 0;
            Map<Integer, Boolean> seen = new HashMap<>();
            for (ThreadEntry t : threads) {
                ExecutorInfo e = t.executor() >= 0 ? s.executor(t.executor()) : null;
                if (e == null || seen.put(e.id(), Boolean.TRUE) != null) continue;
                executors++;
                shared = e.describe();
            }
            return executors <= 1 ? shared : executors + " executors";
        }

        // written out: a record's are bootstrapped through ObjectMethods (see ARCHITECTURE.md)
        @Override
        public boolean equals(Object o) {
            return o instanceof Group g && g.hash == hash && g.frames.equals(frames) && g.state.equals(state) && Objects.equals(g.wait, wait)
                    && Objects.equals(g.site, site) && g.name.equals(name);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** The groups of the application's threads, largest first (then in the order their first thread started). */
    static List<Group> groups(Snapshot s, boolean creation) {
        IdentityHashMap<ThreadEntry, String> names = namePatterns(s);
        Map<Group, Group> groups = new LinkedHashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            SiteInfo site = s.site(s.blameSite(t));
            Group key = new Group(ExportStacks.of(s, t, creation), t.state(), t.waitReason(),
                    site == null || site.blameFrame() == null ? null : site.blameFrame().toString(), names.get(t));
            groups.computeIfAbsent(key, k -> k).threads.add(t);
        }
        List<Group> out = new ArrayList<>(groups.values());
        out.sort(Comparator.comparingInt((Group g) -> g.threads.size()).reversed());
        return out;
    }

    /** Each thread's name folded with the others of its group and shape: {@code pool-*-thread-1}. */
    private static IdentityHashMap<ThreadEntry, String> namePatterns(Snapshot s) {
        Map<String, List<ThreadEntry>> byGroupAndShape = new HashMap<>();
        for (ThreadEntry t : s.threads()) {
            byGroupAndShape.computeIfAbsent(s.blameSite(t) + " " + NamePattern.shape(t.name()), k -> new ArrayList<>()).add(t);
        }
        IdentityHashMap<ThreadEntry, String> out = new IdentityHashMap<>();
        for (List<ThreadEntry> same : byGroupAndShape.values()) {
            String pattern = NamePattern.of(same.stream().map(ThreadEntry::name).toList()).get(0);
            for (ThreadEntry t : same) out.put(t, pattern);
        }
        return out;
    }

    /**
     * Go's {@code debug=1} layout: {@code thread profile: total N}, then per group {@code COUNT @ "name-*" [wait, up to M
     * minutes]}, its frames as {@code #\tfunction\tfile:line}, and the line that created its threads.
     */
    static byte[] debug1(Snapshot s) {
        List<Group> groups = groups(s, true);
        int total = 0;
        for (Group g : groups) total += g.threads.size();
        StringBuilder out = new StringBuilder("thread profile: total ").append(total).append('\n');
        for (Group g : groups) {
            ThreadEntry first = g.threads.get(0);
            long longest = 0;
            for (ThreadEntry t : g.threads) longest = Math.max(longest, t.waitingForMs());
            out.append(g.threads.size()).append(" @ \"").append(g.name).append("\" [")
                    .append(status(first.waitReason(), first.state(), longest, g.threads.size() > 1)).append("]\n");
            for (Frame f : first.stack()) out.append("#\t").append(ExportStacks.function(f)).append('\t').append(f.location()).append('\n');
            if (first.stack().isEmpty()) out.append("#\t(no Java frames read)\n");
            String created = createdBy(s, first, "\t");
            if (created != null) out.append("#\tcreated by ").append(created).append('\n');
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Go's {@code debug=2} layout, a block per thread: {@code thread ID "NAME" [wait, N minutes]:}, each frame as its
     * function and, indented, its file and line, then {@code created by FUNCTION in thread ID "NAME"} and its line.
     */
    static byte[] debug2(Snapshot s) {
        StringBuilder out = new StringBuilder();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            out.append("thread ").append(t.tid()).append(" \"").append(t.name()).append("\" [")
                    .append(status(t.waitReason(), t.state(), t.waitingForMs(), false)).append("]:\n");
            for (Frame f : t.stack()) out.append(ExportStacks.function(f)).append("(...)\n\t").append(f.location()).append('\n');
            String starter = t.starter() == null ? "" : " in thread " + t.starter().tid() + " \"" + t.starter().name() + "\"";
            String created = createdBy(s, t, starter + "\n\t");
            if (created != null) out.append("created by ").append(created).append('\n');
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code parked on LinkedBlockingQueue.take, 12 minutes}: what Go puts in brackets (minutes only from the first). */
    private static String status(String waitReason, String state, long waitingForMs, boolean upTo) {
        String what = waitReason != null ? waitReason : state.toLowerCase(Locale.ROOT);
        long minutes = waitingForMs / 60_000;
        return minutes < 1 ? what : what + ", " + (upTo ? "up to " : "") + minutes + (minutes == 1 ? " minute" : " minutes");
    }

    /**
     * The function that created the thread (for a pool worker, that built its executor), {@code between}, then its file and
     * line; null when no line is known.
     */
    private static String createdBy(Snapshot s, ThreadEntry t, String between) {
        SiteInfo site = s.site(s.blameSite(t));
        if (site == null || !site.creation() || site.blameFrame() == null) return null;
        Frame at = site.blameFrame();
        return ExportStacks.function(at) + (t.site() != site.id() ? " (a pool worker of an executor built here)" : "") + between + at.location();
    }
}
