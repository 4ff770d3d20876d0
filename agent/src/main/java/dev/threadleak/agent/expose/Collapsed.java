package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Printable;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folded stacks for flamegraph.pl, speedscope and Pyroscope: one line per distinct stack,
 * {@code outermost;...;innermost COUNT}. threadleak's own threads are left out.
 */
public final class Collapsed {
    /** What a line counts: threads, or their ages in whole seconds (rounded up, so every thread weighs). */
    public enum Weight { COUNT, AGE }

    private Collapsed() {}

    public static void write(Snapshot s, boolean creation, Weight weight, PrintStream out) {
        Map<String, Long> lines = new HashMap<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            List<Frame> frames = ExportStacks.of(s, t, creation);
            StringBuilder line = new StringBuilder();
            for (int i = frames.size() - 1; i >= 0; i--) {
                line.append(frameText(frames.get(i)));
                if (i > 0) line.append(';');
            }
            long w = weight == Weight.COUNT ? 1 : (t.ageMs(s.takenAtMs()) + 999) / 1000;
            lines.merge(line.toString(), Math.max(1, w), Long::sum);
        }
        lines.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.println(e.getKey() + " " + e.getValue()));
    }

    /** A frame as one token: ';' separates frames and a line end ends the record, so neither may appear in one. */
    private static String frameText(Frame f) {
        return Printable.of(ExportStacks.label(f)).replace(';', ',');
    }
}
