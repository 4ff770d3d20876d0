package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The stack each thread contributes to a flame graph or a pprof profile, innermost first: its current stack,
 * and with {@code creation} below it a marker frame and the stack that created it (for a pool worker, where
 * its executor was built), so the graph is rooted at creation sites. Pseudo-frames have an empty class name.
 */
final class ExportStacks {
    private ExportStacks() {}

    static final Frame NOT_CAPTURED = marker("[stack not captured]");

    static List<Frame> of(Snapshot s, ThreadEntry t, boolean creation) {
        List<Frame> frames = new ArrayList<>(t.stack().isEmpty() ? List.of(NOT_CAPTURED) : t.stack());
        if (!creation) return frames;
        SiteInfo site = s.site(s.blameSite(t));
        if (site != null && site.creation()) {
            boolean worker = t.site() != site.id();
            frames.add(marker(worker ? "[pool worker of an executor built here]" : "[thread started here]"));
            frames.addAll(site.stack());
        } else {
            frames.add(marker(t.origin() == Origin.STARTED ? "[creation site not listed]" : "[" + t.origin().words + "]"));
        }
        return frames;
    }

    /** A frame that names what is known instead of code. */
    static Frame marker(String text) {
        return new Frame("", text, null, -1);
    }

    /** {@code Class.method}, or a marker's text. */
    static String function(Frame f) {
        return f.className().isEmpty() ? f.method() : f.className() + "." + f.method();
    }

    /** {@code Class.method(File.java:LINE)}, or a marker's text. */
    static String label(Frame f) {
        return f.className().isEmpty() ? f.method() : f.toString();
    }
}
