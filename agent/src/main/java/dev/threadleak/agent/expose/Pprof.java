package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Durations;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * A snapshot as a gzipped pprof {@code profile.proto} (github.com/google/pprof, proto/profile.proto) of Go's goroutine
 * profile's type ({@code goroutine/count}): one sample per group of identical threads ({@link GoProfile#groups}), its
 * count the value, its stack (and below it, unless left out, the stack that created it), string labels {@code state},
 * {@code wait}, {@code site}, {@code name} (the thread-name pattern) and {@code executor}. Per thread ({@code perThread}),
 * one sample each with the labels {@code thread} and a numeric {@code age} in seconds besides. So {@code go tool pprof
 * -top}, {@code -traces}, {@code -tagfocus} and {@code -base} work on JVM threads as on goroutines.
 */
public final class Pprof {
    // field numbers of profile.proto
    private static final int SAMPLE_TYPE = 1, SAMPLE = 2, LOCATION = 4, FUNCTION = 5, STRING_TABLE = 6, TIME_NANOS = 9, DURATION_NANOS = 10,
            PERIOD_TYPE = 11, PERIOD = 12, COMMENT = 13;
    private static final int VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2;
    private static final int SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3;
    private static final int LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3, LABEL_NUM_UNIT = 4;
    private static final int LOCATION_ID = 1, LOCATION_LINE = 4, LINE_FUNCTION_ID = 1, LINE_LINE = 2;
    private static final int FUNCTION_ID = 1, FUNCTION_NAME = 2, FUNCTION_SYSTEM_NAME = 3, FUNCTION_FILENAME = 4;

    private final Map<String, Integer> strings = new LinkedHashMap<>();
    private final Map<String, Integer> functions = new HashMap<>();
    private final Map<Frame, Integer> locations = new HashMap<>();
    private final Protobuf profile = new Protobuf();

    private Pprof() {
        string(""); // string_table[0] is always ""
    }

    public static void write(Snapshot s, boolean creation, boolean perThread, OutputStream out) throws IOException {
        Pprof p = new Pprof();
        p.profile.message(SAMPLE_TYPE, p.valueType("goroutine", "count"));
        for (GoProfile.Group g : GoProfile.groups(s, creation)) {
            if (!perThread) {
                p.profile.message(SAMPLE, p.sample(g, g.threads.size(), g.executor(s)));
                continue;
            }
            for (ThreadEntry t : g.threads) {
                ExecutorInfo e = t.executor() >= 0 ? s.executor(t.executor()) : null;
                Protobuf sample = p.sample(g, 1, e == null ? null : e.describe());
                p.label(sample, "thread", t.name());
                sample.message(SAMPLE_LABEL, new Protobuf().varint(LABEL_KEY, p.string("age"))
                        .varint(LABEL_NUM, t.ageMs(s.takenAtMs()) / 1000).varint(LABEL_NUM_UNIT, p.string("seconds")));
                p.profile.message(SAMPLE, sample);
            }
        }
        p.finish(s.takenAtMs(), 0, "threadleak dump of pid " + s.pid() + (s.command().isEmpty() ? "" : ": " + s.command()), out);
    }

    /**
     * The change from {@code before} to {@code after}, as Go's {@code goroutine?seconds=N} and {@code go tool pprof -base}
     * show it: a sample per group of identical threads whose count changed, worth the change (negative for groups that
     * shrank or went); the profile's time is {@code before}'s, its duration the time between them.
     */
    public static void writeDelta(Snapshot before, Snapshot after, OutputStream out) throws IOException {
        Pprof p = new Pprof();
        p.profile.message(SAMPLE_TYPE, p.valueType("goroutine", "count"));
        Map<GoProfile.Group, GoProfile.Group> gone = new LinkedHashMap<>();
        for (GoProfile.Group g : GoProfile.groups(before, true)) gone.put(g, g);
        for (GoProfile.Group g : GoProfile.groups(after, true)) {
            GoProfile.Group was = gone.remove(g);
            long change = (long) g.threads.size() - (was == null ? 0 : was.threads.size());
            if (change != 0) p.profile.message(SAMPLE, p.sample(g, change, g.executor(after)));
        }
        for (GoProfile.Group g : gone.values()) p.profile.message(SAMPLE, p.sample(g, -g.threads.size(), g.executor(before)));
        long spanMs = after.takenAtMs() - before.takenAtMs();
        p.finish(before.takenAtMs(), spanMs * 1_000_000, "threadleak: threads gained and lost in pid " + after.pid() + " over "
                + Durations.human(spanMs) + (after.command().isEmpty() ? "" : ": " + after.command()), out);
    }

    /** The profile's time, duration (0: none), period and comment, then its tables; gzipped to {@code out}. */
    private void finish(long timeMs, long durationNanos, String comment, OutputStream out) throws IOException {
        profile.varint(TIME_NANOS, timeMs * 1_000_000);
        if (durationNanos > 0) profile.varint(DURATION_NANOS, durationNanos);
        profile.message(PERIOD_TYPE, valueType("goroutine", "count"));
        profile.varint(PERIOD, 1);
        profile.varint(COMMENT, string(comment));
        byte[] tables = tables(); // protobuf fields may come in any order: the tables after the samples that fill them
        GZIPOutputStream gz = new GZIPOutputStream(out);
        gz.write(profile.toByteArray());
        gz.write(tables);
        gz.finish();
        gz.flush();
    }

    /** A sample of the group's stack and labels, worth {@code count}, for the caller to label further and add. */
    private Protobuf sample(GoProfile.Group g, long count, String executor) {
        long[] ids = new long[g.frames.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = location(g.frames.get(i));
        Protobuf sample = new Protobuf().packed(SAMPLE_LOCATION_ID, ids).packed(SAMPLE_VALUE, new long[] {count});
        label(sample, "state", g.state);
        if (g.wait != null) label(sample, "wait", g.wait);
        if (g.site != null) label(sample, "site", g.site);
        label(sample, "name", g.name);
        if (executor != null) label(sample, "executor", executor);
        return sample;
    }

    private void label(Protobuf sample, String key, String value) {
        sample.message(SAMPLE_LABEL, new Protobuf().varint(LABEL_KEY, string(key)).varint(LABEL_STR, string(value)));
    }

    private Protobuf valueType(String type, String unit) {
        return new Protobuf().varint(VALUE_TYPE_TYPE, string(type)).varint(VALUE_TYPE_UNIT, string(unit));
    }

    /** Location ids are 1-based, one per distinct frame; each has one line of one function. */
    private int location(Frame f) {
        return locations.computeIfAbsent(f, k -> locations.size() + 1);
    }

    private int function(Frame f) {
        return functions.computeIfAbsent(ExportStacks.function(f) + "\0" + (f.file() == null ? "" : f.file()), k -> functions.size() + 1);
    }

    private int string(String s) {
        return strings.computeIfAbsent(s, k -> strings.size());
    }

    /** Locations, functions, then the string table (which they add to): written after the samples. */
    private byte[] tables() {
        Protobuf t = new Protobuf();
        Map<Integer, Frame> functionFrames = new LinkedHashMap<>();
        List<Map.Entry<Frame, Integer>> locs = new ArrayList<>(locations.entrySet());
        locs.sort(Map.Entry.comparingByValue());
        for (Map.Entry<Frame, Integer> l : locs) {
            Frame f = l.getKey();
            int fn = function(f);
            functionFrames.putIfAbsent(fn, f);
            Protobuf line = new Protobuf().varint(LINE_FUNCTION_ID, fn).varint(LINE_LINE, Math.max(0, f.line()));
            t.message(LOCATION, new Protobuf().varint(LOCATION_ID, l.getValue()).message(LOCATION_LINE, line));
        }
        for (Map.Entry<Integer, Frame> fn : functionFrames.entrySet()) {
            Frame f = fn.getValue();
            int name = string(ExportStacks.function(f));
            t.message(FUNCTION, new Protobuf().varint(FUNCTION_ID, fn.getKey()).varint(FUNCTION_NAME, name)
                    .varint(FUNCTION_SYSTEM_NAME, name).varint(FUNCTION_FILENAME, string(f.file() == null ? "" : f.file())));
        }
        for (String s : strings.keySet()) t.string(STRING_TABLE, s);
        return t.toByteArray();
    }
}
