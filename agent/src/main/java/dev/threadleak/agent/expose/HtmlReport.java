package dev.threadleak.agent.expose;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.SiteCounts;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report people look at: one self-contained HTML page (styles, script and data inline; nothing fetched when it is
 * viewed) with live threads over time per creation site, the findings marked where they began, icicle graphs of where
 * threads were started and where they wait now, the executors and the long-blocked threads. The page's markup and
 * script are a resource ({@value #PAGE}), read only when a page is asked for; this writes the data it renders.
 */
public final class HtmlReport {
    static final String PAGE = "page.html";
    /** Where the page's data goes: a JSON object inside a {@code <script type="application/json">}. */
    private static final String DATA_MARK = "/*THREADLEAK-DATA*/";
    /** The live page's key for threads placed at no site (the JVM's own, those started before the agent). */
    static final String NOT_PLACED = "not placed";
    /** Sites drawn as series of their own, largest first; the rest are summed in one series. */
    public static final int MAX_SERIES = 12;
    /** Frames kept of one stack in the icicle graphs: deeper ones are folded into one "…" frame. */
    static final int MAX_DEPTH = 256;
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private HtmlReport() {}

    /** The page for a series of snapshots of one JVM, oldest first (one is a series too), read from {@code source}. */
    public static byte[] page(List<Snapshot> series, String source) throws IOException {
        Series s = new Series();
        for (Snapshot snapshot : series) s.add(snapshot);
        return s.page(source);
    }

    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream(PAGE)) {
            if (in == null) throw new IllegalStateException("the agent jar lacks its page template " + PAGE);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page template " + PAGE, e);
        }
    }

    /**
     * One of the agent's samples, as the live page's chart needs it: its time, live threads, and those of each site (by
     * id; {@link #OTHER_SITES}: those of the sites past the largest {@link #POINT_SITES}, summed).
     */
    public record Point(long timeMs, int live, Map<Integer, Integer> siteAlive) {
        /** Sites a point keeps apart: an hour of points costs the same with ten thousand sites as with thirty. */
        static final int POINT_SITES = 32;
        static final int OTHER_SITES = -1;

        /** A sample's point; {@code siteAlive} is kept as it is when small (it is not changed afterwards), else reduced. */
        public static Point of(long timeMs, int live, Map<Integer, Integer> siteAlive) {
            if (siteAlive.size() <= POINT_SITES) return new Point(timeMs, live, siteAlive);
            List<Map.Entry<Integer, Integer>> bySize = new ArrayList<>(siteAlive.entrySet());
            bySize.sort(Map.Entry.<Integer, Integer>comparingByValue().reversed());
            Map<Integer, Integer> kept = new HashMap<>();
            int rest = 0;
            for (int i = 0; i < bySize.size(); i++) {
                if (i < POINT_SITES) kept.put(bySize.get(i).getKey(), bySize.get(i).getValue());
                else rest += bySize.get(i).getValue();
            }
            kept.put(OTHER_SITES, rest);
            return new Point(timeMs, live, kept);
        }
    }

    /**
     * Snapshots of one JVM, added oldest first, as the page needs them: of each, its time, its live threads per creation
     * site and its findings; of the last, everything (its stacks and tables). A series of many big dumps is read one at a
     * time and never held whole.
     */
    public static final class Series {
        private final List<Long> times = new ArrayList<>();
        private final List<Integer> totals = new ArrayList<>();
        private final List<Map<String, SiteCounts.Count>> counts = new ArrayList<>();
        /** Every finding raised in the series once (by its kind and the line it blames), as last raised. */
        private final Map<String, Raised> raised = new LinkedHashMap<>();
        private Snapshot last;

        /** A finding as last raised, where its site is, and since when its evidence has held (its first raising's). */
        private record Raised(Finding finding, String site, String blame, long sinceMs, int index) {}

        public Series add(Snapshot s) {
            point(s.takenAtMs(), s.summary().live(), SiteCounts.bySite(s));
            findingsOf(s);
            last = s;
            return this;
        }

        /**
         * The live page's series: one point per sample the agent remembers ({@code points}, oldest first, the last
         * snapshot's among them), whose sites are named as {@code last} names them; the findings, stacks and tables are
         * the last snapshot's.
         */
        public static Series live(List<Point> points, Snapshot last) {
            Series series = new Series();
            if (points.isEmpty()) return series.add(last);
            Map<Integer, SiteInfo> sites = new HashMap<>();
            for (SiteInfo site : last.sites()) sites.put(site.id(), site);
            for (Point p : points) {
                Map<String, SiteCounts.Count> bySite = new LinkedHashMap<>();
                long placed = 0;
                for (Map.Entry<Integer, Integer> e : p.siteAlive().entrySet()) {
                    SiteInfo site = sites.get(e.getKey());
                    String label = site != null ? SiteCounts.label(site, SiteInfo.EXECUTOR.equals(site.kind()))
                            : e.getKey() == Point.OTHER_SITES ? "(smaller sites)" : "(a site with no live thread now)";
                    bySite.put(site == null ? "site " + e.getKey() : SiteCounts.siteKey(site), new SiteCounts.Count(label, e.getValue()));
                    placed += e.getValue();
                }
                if (p.live() > placed) bySite.put(NOT_PLACED, new SiteCounts.Count("(not placed: the JVM's own, started before the agent, …)", p.live() - placed));
                series.point(p.timeMs(), p.live(), bySite);
            }
            series.findingsOf(last);
            series.last = last;
            return series;
        }

        private void point(long timeMs, int live, Map<String, SiteCounts.Count> bySite) {
            times.add(timeMs);
            totals.add(live);
            counts.add(bySite);
        }

        private void findingsOf(Snapshot s) {
            for (Finding f : s.findings()) {
                String key = SiteCounts.key(s, f);
                SiteInfo site = s.site(f.site());
                Raised before = raised.get(key);
                raised.put(key, new Raised(f, site == null ? null : SiteCounts.siteKey(site),
                        site == null || site.blameFrame() == null ? null : site.blameFrame().toString(),
                        before == null ? f.sinceMs() : Math.min(before.sinceMs, f.sinceMs()), times.size() - 1));
            }
        }

        /** The whole page, its data inline. */
        public byte[] page(String source) throws IOException {
            return page(source, null, 0);
        }

        /**
         * The whole page, its data inline; with {@code refresh} (a URL of this page's {@link #data}, the live endpoint's)
         * the page reads it again every {@code refreshMs} and redraws, keeping what the reader chose.
         */
        public byte[] page(String source, String refresh, long refreshMs) throws IOException {
            String template = template();
            int at = template.indexOf(DATA_MARK);
            // '<' occurs only inside JSON strings, where its escape is the same character: no "</script>" ends the block early
            String data = new String(data(source, refresh, refreshMs), StandardCharsets.UTF_8).replace("<", "\\u003c");
            return (template.substring(0, at) + data + template.substring(at + DATA_MARK.length())).getBytes(StandardCharsets.UTF_8);
        }

        /** What the page renders, as JSON. */
        public byte[] data(String source) throws IOException {
            return data(source, null, 0);
        }

        /** What the page renders, as JSON; {@code refresh}: see {@link #page(String, String, long)}. */
        public byte[] data(String source, String refresh, long refreshMs) throws IOException {
            if (last == null) throw new IllegalStateException("no snapshot to show");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeStringField("source", source);
                if (refresh != null) {
                    g.writeStringField("refresh", refresh);
                    g.writeNumberField("refreshMs", refreshMs);
                }
                g.writeNumberField("pid", last.pid());
                g.writeStringField("java", last.javaVersion());
                g.writeStringField("command", last.command());
                g.writeStringField("input", last.input());
                g.writeNumberField("takenAtMs", last.takenAtMs());
                g.writeNumberField("jvmStartedAtMs", last.jvmStartedAtMs());
                g.writeNumberField("live", last.summary().live());
                g.writeNumberField("daemon", last.summary().daemon());
                g.writeNumberField("virtual", last.summary().virtual());
                g.writeNumberField("peak", last.summary().peak());
                g.writeNumberField("baseline", last.summary().baseline());
                g.writeNumberField("blockedThresholdMs", last.blockedThresholdMs());
                series(g);
                findings(g);
                g.writeFieldName("creation");
                creationTree(last).write(g);
                g.writeFieldName("current");
                currentTree(last).write(g);
                executors(g, last);
                blocked(g, last);
                g.writeEndObject();
            }
            return bytes.toByteArray();
        }

        /** The times of the snapshots and, per creation site, its live threads at each ({@code 0} where it had none). */
        private void series(JsonGenerator g) throws IOException {
            Map<String, String> labels = new LinkedHashMap<>();
            Map<String, Long> peak = new HashMap<>();
            for (Map<String, SiteCounts.Count> m : counts) {
                m.forEach((key, c) -> {
                    labels.put(key, c.label()); // the latest label of each
                    peak.merge(key, c.live(), Math::max);
                });
            }
            Map<String, SiteCounts.Count> now = counts.get(counts.size() - 1);
            List<String> keys = new ArrayList<>(labels.keySet());
            // largest now first, then largest ever: a site that grew and ended still shows where it was
            keys.sort(Comparator.comparingLong((String k) -> now.containsKey(k) ? now.get(k).live() : 0).reversed()
                    .thenComparing(Comparator.comparingLong((String k) -> peak.get(k)).reversed()));
            List<String> own = keys.size() <= MAX_SERIES ? keys : keys.subList(0, MAX_SERIES - 1);
            g.writeArrayFieldStart("times");
            for (long t : times) g.writeNumber(t);
            g.writeEndArray();
            g.writeArrayFieldStart("total");
            for (int n : totals) g.writeNumber(n);
            g.writeEndArray();
            g.writeArrayFieldStart("sites");
            for (String key : own) {
                g.writeStartObject();
                g.writeStringField("key", key);
                g.writeStringField("label", labels.get(key));
                g.writeArrayFieldStart("values");
                for (Map<String, SiteCounts.Count> m : counts) g.writeNumber(m.containsKey(key) ? m.get(key).live() : 0);
                g.writeEndArray();
                g.writeEndObject();
            }
            if (own.size() < keys.size()) {
                List<String> rest = keys.subList(own.size(), keys.size());
                g.writeStartObject();
                g.writeStringField("key", "");
                g.writeStringField("label", rest.size() + " other sites");
                g.writeArrayFieldStart("values");
                for (Map<String, SiteCounts.Count> m : counts) {
                    long sum = 0;
                    for (String key : rest) if (m.containsKey(key)) sum += m.get(key).live();
                    g.writeNumber(sum);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        /** Every finding of the series: the last snapshot's first, as it orders them (most severe first), then the earlier. */
        private void findings(JsonGenerator g) throws IOException {
            Map<String, Raised> ordered = new LinkedHashMap<>();
            for (Finding f : last.findings()) {
                String key = SiteCounts.key(last, f);
                ordered.putIfAbsent(key, raised.get(key));
            }
            raised.forEach(ordered::putIfAbsent);
            g.writeArrayFieldStart("findings");
            for (Raised r : ordered.values()) {
                Finding f = r.finding;
                g.writeStartObject();
                g.writeStringField("kind", f.kind().name());
                g.writeStringField("severity", f.severity().name());
                g.writeStringField("title", f.title());
                g.writeNumberField("threads", f.threads());
                g.writeNumberField("sinceMs", r.sinceMs);
                g.writeBooleanField("current", r.index == times.size() - 1);
                if (r.site != null) g.writeStringField("site", r.site);
                if (r.blame != null) g.writeStringField("blame", r.blame);
                if (f.waitFrame() != null) g.writeStringField("waitFrame", f.waitFrame());
                g.writeArrayFieldStart("evidence");
                for (String line : f.evidence()) g.writeString(line);
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    /** Where threads were started: each group's creation stack, outermost frame first, then its names. */
    static Tree creationTree(Snapshot s) {
        Tree root = new Tree();
        for (SiteGroup group : SiteGroup.of(s)) {
            long n = group.threads().size() + (group.site() == null ? 0 : group.site().notListed());
            List<String> path = new ArrayList<>();
            SiteInfo site = group.site();
            if (site == null) {
                path.add("(" + group.origin().words + ")");
            } else {
                List<Frame> stack = site.stack();
                for (int i = stack.size() - 1; i >= 0; i--) path.add(stack.get(i).toString());
                if (group.poolWorkers()) path.add("(executor built here: its workers)");
            }
            path.add(String.join(", ", group.namePatterns()));
            root.add(path, n);
        }
        return root;
    }

    /** Where threads are now: each thread's current stack, outermost frame first, then its wait. */
    static Tree currentTree(Snapshot s) {
        Tree root = new Tree();
        List<String> path = new ArrayList<>();
        for (ThreadEntry t : s.threads()) {
            if (t.agentThread()) continue;
            path.clear();
            List<Frame> stack = t.stack();
            for (int i = stack.size() - 1; i >= 0; i--) path.add(stack.get(i).toString());
            if (stack.isEmpty()) path.add("(no stack read)");
            path.add(t.waitReason() == null ? t.state() : t.state() + ": " + t.waitReason());
            root.add(path, 1);
        }
        return root;
    }

    /**
     * The live executors, those built at one site of one kind and state in one row (a pool per request is a thousand
     * equal pools): how many, their workers, running and queued tasks summed, the oldest queued task and executor.
     */
    private static void executors(JsonGenerator g, Snapshot s) throws IOException {
        Map<String, List<ExecutorInfo>> rows = new LinkedHashMap<>();
        for (ExecutorInfo e : s.executors()) {
            SiteInfo site = s.site(e.site());
            rows.computeIfAbsent((site == null ? "" : SiteCounts.siteKey(site)) + "\n" + e.kind() + "\n" + e.state(), k -> new ArrayList<>()).add(e);
        }
        g.writeArrayFieldStart("executors");
        for (List<ExecutorInfo> row : rows.values()) {
            ExecutorInfo first = row.get(0);
            SiteInfo site = s.site(first.site());
            long workers = 0, active = 0, queued = 0, submitted = 0, oldestQueuedMs = -1, createdAtMs = Long.MAX_VALUE;
            boolean queueKnown = true;
            List<String> names = new ArrayList<>();
            for (ExecutorInfo e : row) {
                names.add(e.name());
                workers += e.poolSize();
                active += e.active();
                if (e.queued() < 0) queueKnown = false;
                else queued += e.queued();
                submitted += e.submitted();
                oldestQueuedMs = Math.max(oldestQueuedMs, e.oldestQueuedMs());
                createdAtMs = Math.min(createdAtMs, e.createdAtMs());
            }
            g.writeStartObject();
            g.writeNumberField("count", row.size());
            g.writeStringField("name", String.join(", ", NamePattern.of(names)));
            g.writeStringField("kind", first.kind());
            g.writeStringField("state", first.state());
            if (site != null) {
                g.writeStringField("site", SiteCounts.siteKey(site));
                if (site.blameFrame() != null) g.writeStringField("builtAt", site.blameFrame().toString());
            }
            g.writeNumberField("workers", workers);
            g.writeNumberField("maxPoolSize", row.size() == 1 ? first.maxPoolSize() : -1);
            g.writeNumberField("active", active);
            g.writeNumberField("queued", queueKnown ? queued : -1);
            g.writeNumberField("oldestQueuedMs", oldestQueuedMs);
            g.writeNumberField("submitted", submitted);
            g.writeNumberField("createdAtMs", createdAtMs);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void blocked(JsonGenerator g, Snapshot s) throws IOException {
        g.writeArrayFieldStart("blocked");
        for (ThreadEntry t : s.longBlocked()) {
            SiteInfo site = s.site(s.blameSite(t));
            Frame stuck = t.waitFrameOrNull();
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("state", t.state());
            if (t.waitReason() != null) g.writeStringField("wait", t.waitReason());
            g.writeNumberField("waitingForMs", t.waitingForMs());
            if (stuck != null) g.writeStringField("stuckAt", stuck.toString());
            if (site != null) {
                g.writeStringField("site", SiteCounts.siteKey(site));
                if (site.blameFrame() != null) g.writeStringField("startedAt", site.blameFrame().toString());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * Stacks merged into a tree of frames with thread counts, for an icicle graph: the frames' names once, in a table,
     * and each node {@code [name index, threads, [children…]]}, so ten thousand threads of a few hundred distinct stacks
     * are a few hundred nodes, not ten thousand stacks.
     */
    static final class Tree {
        private final Map<String, Integer> names = new HashMap<>();
        private final List<String> table = new ArrayList<>();
        private final Node root = new Node(-1);

        private static final class Node {
            final int name;
            long value;
            final Map<Integer, Node> children = new LinkedHashMap<>();

            Node(int name) {
                this.name = name;
            }
        }

        void add(List<String> path, long n) {
            Node node = root;
            node.value += n;
            int depth = 0;
            for (String frame : path) {
                if (++depth > MAX_DEPTH) frame = "… (deeper frames folded)";
                Integer name = names.computeIfAbsent(frame, f -> {
                    table.add(f);
                    return table.size() - 1;
                });
                node = node.children.computeIfAbsent(name, Node::new);
                node.value += n;
                if (depth > MAX_DEPTH) break;
            }
        }

        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeArrayFieldStart("names");
            for (String name : table) g.writeString(name);
            g.writeEndArray();
            g.writeFieldName("root");
            write(g, root);
            g.writeEndObject();
        }

        private static void write(JsonGenerator g, Node node) throws IOException {
            g.writeStartArray();
            g.writeNumber(node.name);
            g.writeNumber(node.value);
            g.writeStartArray();
            List<Node> children = new ArrayList<>(node.children.values());
            children.sort(Comparator.comparingLong((Node c) -> c.value).reversed());
            for (Node child : children) write(g, child);
            g.writeEndArray();
            g.writeEndArray();
        }
    }
}
