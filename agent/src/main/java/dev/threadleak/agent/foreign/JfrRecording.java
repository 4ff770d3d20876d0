package dev.threadleak.agent.foreign;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording's threads: {@code jdk.ThreadStart} (with the stack that started the thread, recorded by default)
 * and {@code jdk.ThreadEnd}, their virtual counterparts where enabled, and the text dumps of {@code jdk.ThreadDump} (the
 * default settings take one per chunk, the profile settings one a minute; at most {@link #MAX_DUMPS} are read) for
 * states, stacks and locks. It is replayed
 * into {@link #POINTS} dumps evenly spread over the recording, and one at each thread dump, so growth per creation site
 * is judged over the recording's time. A thread started before the recording has no creation site; it is known only
 * from a thread dump.
 */
final class JfrRecording {
    /** Dumps the recording is replayed into, besides one at each {@code jdk.ThreadDump}: enough for a trend. */
    static final int POINTS = 20;
    /** Thread dumps read at most (each holds every thread's stack), spread over the recording. */
    static final int MAX_DUMPS = 60;
    /** {@code FLR\0}: the first bytes of every JFR chunk. */
    static final byte[] MAGIC = {'F', 'L', 'R', 0};

    private JfrRecording() {}

    /** A thread's start as recorded. */
    private record Start(long atMs, String name, boolean virtual, List<Frame> creation, ThreadRef starter) {}

    static List<JdkDump> read(Path file, String input) throws IOException {
        Map<Long, Start> starts = new LinkedHashMap<>();
        Map<Long, Long> ends = new HashMap<>();
        TreeMap<Long, JdkDump> dumps = new TreeMap<>();
        List<Long> dumpTimes = new ArrayList<>();
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        String version = null, command = "";
        long pid = -1, jvmStartedAt = -1;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent e = recording.readEvent();
                long at = e.getStartTime().toEpochMilli();
                first = Math.min(first, at);
                last = Math.max(last, e.getEndTime().toEpochMilli());
                switch (e.getEventType().getName()) {
                    case "jdk.ThreadStart" -> {
                        RecordedThread t = e.getThread("thread");
                        if (t != null && t.getJavaThreadId() >= 0) {
                            RecordedThread parent = e.hasField("parentThread") ? e.getThread("parentThread") : null;
                            starts.putIfAbsent(t.getJavaThreadId(), new Start(at, javaName(t), false, creation(e.getStackTrace()),
                                    parent == null ? null : new ThreadRef(parent.getJavaThreadId(), javaName(parent))));
                        }
                    }
                    case "jdk.VirtualThreadStart" -> starts.putIfAbsent(e.getLong("javaThreadId"), new Start(at, "", true, creation(e.getStackTrace()), null));
                    case "jdk.ThreadEnd" -> {
                        RecordedThread t = e.getThread("thread");
                        if (t != null) ends.putIfAbsent(t.getJavaThreadId(), at);
                    }
                    case "jdk.VirtualThreadEnd" -> ends.putIfAbsent(e.getLong("javaThreadId"), at);
                    case "jdk.ThreadDump" -> dumpTimes.add(at);
                    case "jdk.JVMInformation" -> {
                        version = JstackText.version(e.getString("jvmVersion"));
                        pid = e.getLong("pid");
                        jvmStartedAt = e.getInstant("jvmStartTime").toEpochMilli();
                        String args = e.getString("javaArguments");
                        command = args == null ? "" : args;
                    }
                    default -> { }
                }
            }
        }
        if (first == Long.MAX_VALUE) return List.of();
        // a day's recording with the profile settings holds 1,440 thread dumps: read at most MAX_DUMPS of them, spread over it
        Set<Long> kept = spread(dumpTimes);
        if (!kept.isEmpty()) {
            try (RecordingFile recording = new RecordingFile(file)) {
                while (recording.hasMoreEvents()) {
                    RecordedEvent e = recording.readEvent();
                    long at = e.getStartTime().toEpochMilli();
                    if (!e.getEventType().getName().equals("jdk.ThreadDump") || !kept.contains(at) || dumps.containsKey(at)) continue;
                    List<JdkDump> parsed = JstackText.parse(e.getString("result"), input, ZoneId.systemDefault(), at);
                    // the event's own time: the text's is local time to the second, and its zone unknown
                    if (!parsed.isEmpty()) dumps.put(at, new JdkDump(at, -1, parsed.get(0).javaVersion(), input, parsed.get(0).threads()));
                }
            }
        }
        if (version == null && !dumps.isEmpty()) version = dumps.firstEntry().getValue().javaVersion();
        TreeMap<Long, Boolean> points = new TreeMap<>();
        for (int i = 1; i <= POINTS; i++) points.put(first + (last - first) * i / POINTS, true);
        for (Long at : dumps.keySet()) points.put(at, true);
        List<JdkDump> out = new ArrayList<>(points.size());
        for (long at : points.keySet()) {
            JdkDump d = at(at, starts, ends, dumps.floorEntry(at), version, input);
            out.add(new JdkDump(d.takenAtMs(), pid, d.javaVersion(), input, d.threads(), jvmStartedAt, command));
        }
        return out;
    }

    /** At most {@link #MAX_DUMPS} of {@code times}, evenly spread, the last one always among them. */
    static Set<Long> spread(List<Long> times) {
        List<Long> sorted = new ArrayList<>(new TreeSet<>(times));
        Set<Long> out = new HashSet<>();
        int n = sorted.size();
        for (int i = 1; i <= Math.min(n, MAX_DUMPS); i++) out.add(sorted.get((int) ((long) n * i / Math.min(n, MAX_DUMPS)) - 1));
        return out;
    }

    /** The threads live at {@code atMs}: started then and not ended, or in the latest thread dump and not ended since. */
    private static JdkDump at(long atMs, Map<Long, Start> starts, Map<Long, Long> ends, Map.Entry<Long, JdkDump> dump, String version, String input) {
        Map<Long, JdkThread> live = new LinkedHashMap<>();
        if (dump != null) {
            for (JdkThread t : dump.getValue().threads()) {
                Start s = starts.get(t.tid());
                if (ended(t.tid(), atMs, ends) || (s != null && s.atMs() > atMs)) continue;
                live.put(t.tid(), s == null ? t : t.started(s.atMs(), s.creation(), s.starter()));
            }
        }
        for (Map.Entry<Long, Start> e : starts.entrySet()) {
            long tid = e.getKey();
            Start s = e.getValue();
            if (s.atMs() > atMs || ended(tid, atMs, ends) || live.containsKey(tid)) continue;
            // started since the latest thread dump (or with none recorded): where it was started, not what it does now
            live.put(tid, new JdkThread(tid, s.name(), false, Thread.NORM_PRIORITY, null, s.virtual(), s.atMs(), List.of(), null, null, null,
                    List.of(), List.of(), s.creation(), s.starter(), null));
        }
        return new JdkDump(atMs, -1, version, input, List.copyOf(live.values()));
    }

    private static boolean ended(long tid, long atMs, Map<Long, Long> ends) {
        Long end = ends.get(tid);
        return end != null && end <= atMs;
    }

    /** The starter's stack from its caller of {@code Thread.start} outwards; null when none was recorded. */
    private static List<Frame> creation(RecordedStackTrace trace) {
        if (trace == null) return null;
        List<Frame> out = new ArrayList<>();
        for (RecordedFrame f : trace.getFrames()) {
            if (!f.isJavaFrame()) continue;
            String cls = f.getMethod().getType().getName(), method = f.getMethod().getName();
            if (out.isEmpty() && startMachinery(cls, method)) continue;
            out.add(new Frame(cls, method, null, f.getLineNumber()));
        }
        return List.copyOf(out);
    }

    /**
     * Frames of starting a thread, above its caller: {@code Thread.start}, and since JDK 21 an executor's start through
     * its thread container ({@code System$1.start}, {@code SharedThreadContainer.start}).
     */
    private static boolean startMachinery(String cls, String method) {
        return (cls.equals("java.lang.Thread") && method.startsWith("start"))
                || (cls.startsWith("java.lang.System$") && method.equals("start"))
                || (cls.startsWith("jdk.internal.vm.") && cls.endsWith("ThreadContainer") && method.equals("start"));
    }

    private static String javaName(RecordedThread t) {
        String name = t.getJavaName();
        return name == null ? "" : name;
    }
}
