package dev.threadleak.agent.snapshot;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dump file format {@value Snapshot#FORMAT}: a {@link Snapshot} as JSON, with frames and stacks stored
 * once and referred to by index (like pprof's location table), so thousands of threads with one stack
 * stay small. Writing streams (no tree in memory); reading validates and names what is wrong.
 */
public final class SnapshotCodec {
    /** The caller owns the stream: the writer flushes it but leaves it open. */
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private SnapshotCodec() {}

    public static void write(Snapshot s, OutputStream out) throws IOException {
        StackTable stacks = new StackTable(s); // all of it first: the tables come before the sites and threads that use them
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", Snapshot.FORMAT);
            writeHeader(g, s);
            g.writeNumberField("blockedThresholdMs", s.blockedThresholdMs());
            writeSampling(g, s.sampling());
            writeFindings(g, s);
            writeDeadlocks(g, s.deadlocks());
            writeLongBlocked(g, s);
            stacks.write(g);
            writeSites(g, s.sites(), stacks);
            writeExecutors(g, s.executors());
            writeThreads(g, s, stacks);
            g.writeEndObject();
        }
    }

    private static void writeSampling(JsonGenerator g, Sampling sampling) throws IOException {
        g.writeObjectFieldStart("sampling");
        g.writeNumberField("optionMs", sampling.optionMs());
        g.writeNumberField("everyMs", sampling.everyMs());
        g.writeNumberField("costMs", sampling.costMs());
        g.writeEndObject();
    }

    /** Who, when, and the totals: what dumps and {@code report --format json} begin with. */
    public static void writeHeader(JsonGenerator g, Snapshot s) throws IOException {
        g.writeNumberField("pid", s.pid());
        g.writeStringField("takenAt", Instant.ofEpochMilli(s.takenAtMs()).toString());
        g.writeNumberField("takenAtMs", s.takenAtMs());
        g.writeNumberField("jvmStartedAtMs", s.jvmStartedAtMs());
        g.writeNumberField("agentStartedAtMs", s.agentStartedAtMs());
        g.writeStringField("javaVersion", s.javaVersion());
        g.writeStringField("command", s.command());
        if (!s.http().isEmpty()) g.writeStringField("http", s.http());
        if (s.fromJdkInput()) g.writeStringField("input", s.input());
        writeSummary(g, s);
    }

    private static void writeSummary(JsonGenerator g, Snapshot s) throws IOException {
        Summary sum = s.summary();
        g.writeObjectFieldStart("summary");
        g.writeNumberField("live", sum.live());
        g.writeNumberField("daemon", sum.daemon());
        g.writeNumberField("virtual", sum.virtual());
        g.writeNumberField("peak", sum.peak());
        g.writeNumberField("jvmStarted", sum.jvmStarted());
        g.writeNumberField("agentStarted", sum.agentStarted());
        g.writeNumberField("baseline", sum.baseline());
        g.writeNumberField("delta", sum.delta());
        g.writeObjectFieldStart("states");
        for (Map.Entry<String, Integer> e : sum.states().entrySet()) g.writeNumberField(e.getKey(), e.getValue());
        g.writeEndObject();
        g.writeNumberField("heapUsed", sum.heapUsed());
        g.writeNumberField("stackReserved", sum.stackReserved());
        g.writeNumberField("startsDropped", sum.startsDropped());
        g.writeNumberField("sitesNotListed", sum.sitesNotListed());
        g.writeNumberField("threadsNotListed", sum.threadsNotListed());
        g.writeNumberField("hookFailures", sum.hookFailures());
        if (sum.firstHookFailure() != null) g.writeStringField("firstHookFailure", sum.firstHookFailure());
        g.writeNumberField("stacksCaptured", sum.stacksCaptured());
        g.writeNumberField("stacksSkipped", sum.stacksSkipped());
        g.writeNumberField("longBlocked", s.longBlocked().size());
        g.writeNumberField("findings", s.findings().size());
        g.writeEndObject();
    }

    /** One finding as JSON, with its blame frame spelled out: what dumps and {@code report --format json} hold. */
    public static void writeFinding(JsonGenerator g, Snapshot s, Finding f) throws IOException {
        writeFinding(g, s.site(f.site()), f);
    }

    /** A finding, its site (null: none known) named by its blame frame. */
    public static void writeFinding(JsonGenerator g, SiteInfo site, Finding f) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", f.kind().name());
        g.writeStringField("severity", f.severity().name());
        g.writeStringField("title", f.title());
        if (f.site() >= 0) g.writeNumberField("site", f.site());
        if (site != null && site.blameFrame() != null) g.writeStringField("blame", site.blameFrame().toString());
        g.writeNumberField("threads", f.threads());
        g.writeNumberField("sinceMs", f.sinceMs());
        g.writeArrayFieldStart("evidence");
        for (String line : f.evidence()) g.writeString(line);
        g.writeEndArray();
        if (f.waitFrame() != null) g.writeStringField("waitFrame", f.waitFrame());
        g.writeNumberField("raisedSamples", f.raisedSamples());
        g.writeNumberField("raisedSinceMs", f.raisedSinceMs());
        g.writeEndObject();
    }

    private static void writeFindings(JsonGenerator g, Snapshot s) throws IOException {
        g.writeArrayFieldStart("findings");
        for (Finding f : s.findings()) writeFinding(g, s, f);
        g.writeEndArray();
    }

    /** Each deadlock an array of its cycle's links: who waits for which lock, held by whom. */
    private static void writeDeadlocks(JsonGenerator g, List<Deadlock> deadlocks) throws IOException {
        g.writeArrayFieldStart("deadlocks");
        for (Deadlock d : deadlocks) {
            g.writeStartArray();
            for (Deadlock.Link l : d.cycle()) {
                g.writeStartObject();
                writeRef(g, "thread", l.thread());
                g.writeStringField("waitsFor", l.lock());
                writeRef(g, "heldBy", l.owner());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /** The long-blocked threads' tids (a reader computes them again: {@link Snapshot#longBlocked}). */
    private static void writeLongBlocked(JsonGenerator g, Snapshot s) throws IOException {
        g.writeArrayFieldStart("longBlocked");
        for (ThreadEntry t : s.longBlocked()) g.writeNumber(t.tid());
        g.writeEndArray();
    }

    private static void writeSites(JsonGenerator g, List<SiteInfo> sites, StackTable stacks) throws IOException {
        g.writeArrayFieldStart("sites");
        for (SiteInfo site : sites) {
            g.writeStartObject();
            g.writeNumberField("id", site.id());
            g.writeNumberField("stack", stacks.id(site.stack()));
            g.writeNumberField("blame", site.blame());
            g.writeBooleanField("truncated", site.truncated());
            g.writeNumberField("started", site.started());
            g.writeStringField("kind", site.kind());
            if (site.notListed() > 0) g.writeNumberField("notListed", site.notListed());
            if (site.lastEndedAtMs() > 0) g.writeNumberField("lastEndedAtMs", site.lastEndedAtMs());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeExecutors(JsonGenerator g, List<ExecutorInfo> executors) throws IOException {
        g.writeArrayFieldStart("executors");
        for (ExecutorInfo e : executors) {
            g.writeStartObject();
            g.writeNumberField("id", e.id());
            g.writeStringField("kind", e.kind());
            g.writeStringField("name", e.name());
            if (e.site() >= 0) g.writeNumberField("site", e.site());
            g.writeStringField("state", e.state());
            g.writeNumberField("poolSize", e.poolSize());
            g.writeNumberField("maxPoolSize", e.maxPoolSize());
            g.writeNumberField("active", e.active());
            g.writeNumberField("queued", e.queued());
            g.writeNumberField("submitted", e.submitted());
            g.writeNumberField("completed", e.completed());
            g.writeNumberField("oldestQueuedMs", e.oldestQueuedMs());
            g.writeNumberField("createdAtMs", e.createdAtMs());
            g.writeNumberField("idleSinceMs", e.idleSinceMs());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Last in the file: the reader streams them, one at a time, once it has every table they name. */
    private static void writeThreads(JsonGenerator g, Snapshot s, StackTable stacks) throws IOException {
        g.writeArrayFieldStart("threads");
        for (ThreadEntry t : s.threads()) writeThread(g, t, stacks, s.takenAtMs());
        g.writeEndArray();
    }

    private static void writeThread(JsonGenerator g, ThreadEntry t, StackTable stacks, long takenAtMs) throws IOException {
        g.writeStartObject();
        g.writeNumberField("tid", t.tid());
        g.writeStringField("name", t.name());
        g.writeStringField("state", t.state());
        g.writeBooleanField("virtual", t.virtual());
        g.writeBooleanField("daemon", t.daemon());
        g.writeNumberField("priority", t.priority());
        g.writeNumberField("stack", stacks.id(t.stack()));
        if (t.parkBlocker() != null) g.writeStringField("parkBlocker", t.parkBlocker());
        if (t.blockedOn() != null) g.writeStringField("blockedOn", t.blockedOn());
        if (t.waitingOn() != null) g.writeStringField("waitingOn", t.waitingOn());
        if (t.lockOwner() != null) writeRef(g, "lockOwner", t.lockOwner());
        if (!t.monitorsOwned().isEmpty()) {
            g.writeArrayFieldStart("monitorsOwned");
            for (OwnedMonitor m : t.monitorsOwned()) {
                g.writeStartObject();
                g.writeNumberField("depth", m.depth());
                g.writeStringField("lock", m.lock());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (!t.synchronizersOwned().isEmpty()) {
            g.writeArrayFieldStart("synchronizersOwned");
            for (String lock : t.synchronizersOwned()) g.writeString(lock);
            g.writeEndArray();
        }
        g.writeStringField("origin", t.origin().name());
        if (t.site() >= 0) g.writeNumberField("site", t.site());
        g.writeNumberField("startedAtMs", t.startedAtMs());
        g.writeNumberField("ageMs", t.ageMs(takenAtMs));
        if (t.starter() != null) writeRef(g, "starter", t.starter());
        if (t.agentThread()) g.writeBooleanField("agent", true);
        if (t.waitReason() != null) g.writeStringField("waitReason", t.waitReason());
        if (t.idle()) g.writeBooleanField("idle", true);
        g.writeNumberField("waitingForMs", t.waitingForMs());
        if (t.waitFrame() >= 0) g.writeNumberField("waitFrame", t.waitFrame());
        if (t.executor() >= 0) g.writeNumberField("executor", t.executor());
        RunningTask task = t.task();
        if (task != null) {
            g.writeObjectFieldStart("task");
            g.writeNumberField("startedAtMs", task.startedAtMs());
            g.writeNumberField("runningForMs", task.runningForMs(takenAtMs));
            if (task.queuedAtMs() >= 0) g.writeNumberField("queuedAtMs", task.queuedAtMs());
            if (task.submittedSite() >= 0) g.writeNumberField("submittedSite", task.submittedSite());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeRef(JsonGenerator g, String field, ThreadRef ref) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeNumberField("tid", ref.tid());
        g.writeStringField("name", ref.name());
        g.writeEndObject();
    }

    /**
     * Every frame and every stack of a snapshot (its sites' and its threads'), each once, numbered in the order first
     * met: the {@code frames} and {@code stacks} tables, which sites and threads name by index.
     */
    private static final class StackTable {
        private final Map<Frame, Integer> frameIds = new HashMap<>();
        private final List<Frame> frames = new ArrayList<>();
        private final Map<List<Frame>, Integer> stackIds = new HashMap<>();
        private final List<List<Frame>> stacks = new ArrayList<>();

        StackTable(Snapshot s) {
            for (SiteInfo site : s.sites()) add(site.stack());
            for (ThreadEntry t : s.threads()) add(t.stack());
        }

        private void add(List<Frame> stack) {
            if (stackIds.containsKey(stack)) return;
            stackIds.put(stack, stacks.size());
            stacks.add(stack);
            for (Frame f : stack) {
                if (frameIds.putIfAbsent(f, frames.size()) == null) frames.add(f);
            }
        }

        int id(List<Frame> stack) {
            return stackIds.get(stack);
        }

        void write(JsonGenerator g) throws IOException {
            g.writeArrayFieldStart("frames");
            for (Frame f : frames) {
                g.writeStartObject();
                g.writeStringField("class", f.className());
                g.writeStringField("method", f.method());
                if (f.file() != null) g.writeStringField("file", f.file());
                g.writeNumberField("line", f.line());
                g.writeEndObject();
            }
            g.writeEndArray();

            g.writeArrayFieldStart("stacks");
            for (List<Frame> stack : stacks) {
                g.writeStartArray();
                for (Frame f : stack) g.writeNumber(frameIds.get(f));
                g.writeEndArray();
            }
            g.writeEndArray();
        }
    }

    /** Reads a dump; {@code source} names it in error messages. */
    public static Snapshot read(InputStream in, String source) throws DumpFormatException {
        // Streams: every field but "threads" is read as a tree (tables, findings: small), the threads one at a
        // time, each turned into the model and its tree dropped, so reading takes about the model's memory, not
        // the several times the file's size a whole tree costs. The writer puts the threads last.
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new DumpFormatException(source + ": not a threadleak dump (empty, or not a JSON object)");
            Map<String, JsonValue> fields = new LinkedHashMap<>();
            JsonValue root = JsonValue.object(fields);
            Reader reader = null;
            List<ThreadEntry> threads = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("threads")) {
                    fields.put(name, JsonValue.read(p));
                    if (name.equals("format")) checkFormat(root, source);
                    continue;
                }
                checkFormat(root, source); // a dump says what it is before its threads
                if (value != JsonToken.START_ARRAY) throw new IllegalArgumentException(value == JsonToken.VALUE_NULL ? "missing field 'threads'" : "field 'threads' is not an array");
                reader = new Reader(root);
                reader.tables(); // frames, stacks, sites and executors come before the threads that name them
                threads = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) threads.add(reader.thread(JsonValue.read(p)));
            }
            checkFormat(root, source);
            if (reader == null) throw new IllegalArgumentException("missing field 'threads'");
            return reader.finish(threads);
        } catch (JsonParseException e) {
            if (e instanceof JsonEOFException || e.getOriginalMessage().startsWith("Unexpected end-of-input")) {
                throw new DumpFormatException(source + ": truncated JSON (input ends at line " + e.getLocation().getLineNr() + ")");
            }
            throw new DumpFormatException(source + ": not JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + " at line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new DumpFormatException(source + ": cannot read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new DumpFormatException(source + ": " + e.getMessage());
        }
    }

    private static void checkFormat(JsonValue root, String source) throws DumpFormatException {
        JsonValue format = root.get("format");
        if (format == null || !format.isTextual()) throw new DumpFormatException(source + ": not a threadleak dump (no \"format\" field)");
        if (!format.asText().equals(Snapshot.FORMAT)) {
            throw new DumpFormatException(source + ": unsupported format '" + format.asText() + "' (this threadleak reads " + Snapshot.FORMAT + ")");
        }
    }

    /** Turns a validated tree into the model; every lookup names the field it wanted when it is missing. */
    private static final class Reader {
        /** Bound of every time in a dump, in ms: 10^15 (about 31,700 years either side of 1970). */
        private static final long MAX_MS = 1_000_000_000_000_000L;
        private final JsonValue root;
        private final List<Frame> frames = new ArrayList<>();
        private final List<List<Frame>> stacks = new ArrayList<>();

        Reader(JsonValue root) {
            this.root = root;
        }

        private final List<SiteInfo> sites = new ArrayList<>();
        private final Set<Integer> siteIds = new HashSet<>();
        private final List<ExecutorInfo> executors = new ArrayList<>();
        private final Set<Integer> executorIds = new HashSet<>();

        /** The tables the threads refer to: frames, stacks, sites, executors. */
        void tables() {
            for (JsonValue f : array(root, "frames")) {
                frames.add(new Frame(text(f, "class"), text(f, "method"), optText(f, "file"), (int) number(f, "line")));
            }
            for (JsonValue s : array(root, "stacks")) {
                List<Frame> stack = new ArrayList<>(s.size());
                for (JsonValue i : s) stack.add(element(frames, i, "frame"));
                stacks.add(List.copyOf(stack));
            }
            for (JsonValue s : array(root, "sites")) {
                int id = (int) number(s, "id");
                if (id < 0 || (!sites.isEmpty() && id <= sites.get(sites.size() - 1).id())) {
                    throw new IllegalArgumentException("site ids out of order at site " + id);
                }
                siteIds.add(id);
                List<Frame> stack = element(stacks, s.get("stack"), "stack");
                long blame = number(s, "blame");
                if (blame < -1 || blame >= stack.size()) {
                    throw new IllegalArgumentException("site " + id + ": blame index " + blame + " is outside its stack of "
                            + stack.size() + " frame" + (stack.size() == 1 ? "" : "s"));
                }
                sites.add(new SiteInfo(id, stack, (int) blame, s.path("truncated").asBoolean(false), number(s, "started"),
                        s.path("kind").asText(SiteInfo.THREAD), Math.max(0, s.path("notListed").asLong(0)),
                        Math.max(0, s.path("lastEndedAtMs").asLong(0))));
            }
            for (JsonValue e : root.path("executors")) {
                int id = (int) number(e, "id");
                int site = e.has("site") ? (int) number(e, "site") : -1;
                if (site != -1 && !siteIds.contains(site)) throw new IllegalArgumentException("executor " + id + " names site " + site + ", which is not in the sites table");
                executorIds.add(id);
                executors.add(ExecutorInfo.builder(id, text(e, "kind")).name(e.path("name").asText("")).site(site).state(text(e, "state"))
                        .poolSize((int) number(e, "poolSize")).maxPoolSize(e.path("maxPoolSize").asInt(-1)).active((int) number(e, "active"))
                        .queued(number(e, "queued")).submitted(number(e, "submitted")).completed(number(e, "completed"))
                        .oldestQueuedMs(number(e, "oldestQueuedMs")).createdAtMs(instant(e, "createdAtMs"))
                        .idleSinceMs(e.path("idleSinceMs").asLong(-1)).build());
            }
        }

        /** The snapshot, from the threads (read one at a time with {@link #thread}) and the rest of the fields. */
        Snapshot finish(List<ThreadEntry> threads) {
            JsonValue sum = field(root, "summary");
            Map<String, Integer> states = new TreeMap<>();
            for (Map.Entry<String, JsonValue> e : field(sum, "states").fields().entrySet()) states.put(e.getKey(), e.getValue().asInt());
            Summary summary = Summary.builder().live((int) number(sum, "live")).daemon((int) number(sum, "daemon"))
                    .virtual((int) number(sum, "virtual")).peak((int) number(sum, "peak")).jvmStarted(number(sum, "jvmStarted"))
                    .agentStarted(number(sum, "agentStarted")).baseline((int) number(sum, "baseline")).states(states)
                    .heapUsed(number(sum, "heapUsed")).stackReserved(number(sum, "stackReserved"))
                    .startsDropped(sum.path("startsDropped").asLong(0)).sitesNotListed(sum.path("sitesNotListed").asLong(0))
                    .threadsNotListed(Math.max(0, sum.path("threadsNotListed").asLong(0))).hookFailures(Math.max(0, sum.path("hookFailures").asLong(0)))
                    .firstHookFailure(sum.path("firstHookFailure").isTextual() ? sum.path("firstHookFailure").asText() : null)
                    .stacksCaptured(Math.max(-1, sum.path("stacksCaptured").asLong(-1))).stacksSkipped(Math.max(0, sum.path("stacksSkipped").asLong(0)))
                    .build();
            List<Deadlock> deadlocks = new ArrayList<>();
            for (JsonValue d : array(root, "deadlocks")) {
                List<Deadlock.Link> cycle = new ArrayList<>();
                for (JsonValue l : d) cycle.add(new Deadlock.Link(ref(l, "thread"), text(l, "waitsFor"), ref(l, "heldBy")));
                deadlocks.add(new Deadlock(List.copyOf(cycle)));
            }
            List<Finding> findings = new ArrayList<>();
            for (JsonValue f : array(root, "findings")) {
                List<String> evidence = new ArrayList<>();
                for (JsonValue e : array(f, "evidence")) evidence.add(e.asText());
                long site = f.has("site") ? number(f, "site") : -1;
                if ((site != -1 && !siteIds.contains((int) site)) || site != (int) site) {
                    throw new IllegalArgumentException("finding '" + f.path("title").asText() + "' names site " + site + ", which is not in the sites table");
                }
                findings.add(new Finding(enumValue(Finding.Kind.class, f, "kind"), enumValue(Finding.Severity.class, f, "severity"),
                        text(f, "title"), (int) site, (int) number(f, "threads"),
                        instant(f, "sinceMs"), List.copyOf(evidence), optText(f, "waitFrame"), Math.max(1, f.path("raisedSamples").asInt(1)),
                        f.path("raisedSinceMs").asLong(-1)));
            }
            return Snapshot.builder().pid(number(root, "pid")).takenAtMs(instant(root, "takenAtMs"))
                    .jvmStartedAtMs(instant(root, "jvmStartedAtMs")).agentStartedAtMs(instant(root, "agentStartedAtMs"))
                    .javaVersion(text(root, "javaVersion")).command(root.path("command").asText("")).http(root.path("http").asText("")).input(root.path("input").asText("")).summary(summary)
                    .sites(List.copyOf(sites)).threads(List.copyOf(threads)).blockedThresholdMs(duration(root, "blockedThresholdMs"))
                    .sampling(new Sampling(root.path("sampling").path("optionMs").asLong(-1), root.path("sampling").path("everyMs").asLong(-1),
                            root.path("sampling").path("costMs").asLong(-1)))
                    .deadlocks(List.copyOf(deadlocks)).findings(List.copyOf(findings)).executors(List.copyOf(executors)).build();
        }

        ThreadEntry thread(JsonValue t) {
            String tid = t.path("tid").asText();
            List<Frame> stack = element(stacks, t.get("stack"), "stack");
            List<OwnedMonitor> monitors = new ArrayList<>();
            for (JsonValue m : t.path("monitorsOwned")) {
                long depth = number(m, "depth");
                // -1: held, but at no known frame (the JDK's MonitorInfo says so for locks taken by native code)
                if (depth < -1 || depth >= stack.size()) {
                    throw new IllegalArgumentException("thread " + tid + ": monitor depth " + depth + " is outside its stack of " + stack.size() + " frames");
                }
                monitors.add(new OwnedMonitor((int) depth, text(m, "lock")));
            }
            List<String> synchronizers = new ArrayList<>();
            for (JsonValue s : t.path("synchronizersOwned")) synchronizers.add(s.asText());
            Origin origin = enumValue(Origin.class, t, "origin");
            int site = t.has("site") ? (int) number(t, "site") : -1;
            if (site != -1 && !siteIds.contains(site)) throw new IllegalArgumentException("thread " + tid + " names site " + site + ", which is not in the sites table");
            int executor = t.has("executor") ? (int) number(t, "executor") : -1;
            if (executor != -1 && !executorIds.contains(executor)) throw new IllegalArgumentException("thread " + tid + " names executor " + executor + ", which is not in the executors table");
            RunningTask task = null;
            JsonValue tk = t.get("task");
            if (tk != null && !tk.isNull()) {
                int submitted = tk.has("submittedSite") ? (int) number(tk, "submittedSite") : -1;
                if (submitted != -1 && !siteIds.contains(submitted)) throw new IllegalArgumentException("thread " + tid + "'s task names site " + submitted + ", which is not in the sites table");
                task = new RunningTask(instant(tk, "startedAtMs"), tk.has("queuedAtMs") ? instant(tk, "queuedAtMs") : -1, submitted);
            }
            int waitFrame = t.has("waitFrame") ? (int) number(t, "waitFrame") : -1;
            if (waitFrame < -1 || waitFrame >= stack.size()) throw new IllegalArgumentException("thread " + tid + ": waitFrame " + waitFrame + " is outside its stack of " + stack.size());
            return ThreadEntry.builder(tid(t), text(t, "name")).state(text(t, "state")).virtual(t.path("virtual").asBoolean())
                    .daemon(t.path("daemon").asBoolean()).priority(t.path("priority").asInt(5)).stack(stack)
                    .parkBlocker(optText(t, "parkBlocker")).blockedOn(optText(t, "blockedOn")).waitingOn(optText(t, "waitingOn"))
                    .lockOwner(ref(t, "lockOwner")).monitorsOwned(List.copyOf(monitors)).synchronizersOwned(List.copyOf(synchronizers))
                    .origin(origin).site(site).startedAtMs(instant(t, "startedAtMs")).starter(ref(t, "starter"))
                    .agentThread(t.path("agent").asBoolean(false)).waitReason(optText(t, "waitReason")).idle(t.path("idle").asBoolean(false))
                    .waitingForMs(duration(t, "waitingForMs")).waitFrame(waitFrame).executor(executor).task(task).build();
        }

        /** Epoch milliseconds within what {@link Instant} (and the report's arithmetic) can hold: year -29,700 to 33,658. */
        private static long instant(JsonValue node, String name) {
            long v = number(node, name);
            if (v < -MAX_MS || v > MAX_MS) throw new IllegalArgumentException("field '" + name + "' is out of range: " + v);
            return v;
        }

        private static long duration(JsonValue node, String name) {
            long v = number(node, name);
            if (v < 0 || v > MAX_MS) throw new IllegalArgumentException("field '" + name + "' is out of range: " + v + " (expected 0 to " + MAX_MS + ")");
            return v;
        }

        private static long tid(JsonValue node) {
            long v = number(node, "tid");
            if (v < 0) throw new IllegalArgumentException("field 'tid' is negative: " + v);
            return v;
        }

        private static <E extends Enum<E>> E enumValue(Class<E> type, JsonValue node, String name) {
            String value = text(node, name);
            try {
                return Enum.valueOf(type, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown " + name + " '" + value + "'");
            }
        }

        private ThreadRef ref(JsonValue node, String name) {
            JsonValue r = node.get(name);
            return r == null || r.isNull() ? null : new ThreadRef(tid(r), text(r, "name"));
        }

        private static <T> T element(List<T> table, JsonValue index, String what) {
            if (index == null || !index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= table.size()) {
                throw new IllegalArgumentException("bad " + what + " index " + index + " (table has " + table.size() + ")");
            }
            return table.get(index.asInt());
        }

        private static JsonValue field(JsonValue node, String name) {
            JsonValue v = node.get(name);
            if (v == null || v.isNull()) throw new IllegalArgumentException("missing field '" + name + "'");
            return v;
        }

        private static JsonValue array(JsonValue node, String name) {
            JsonValue v = field(node, name);
            if (!v.isArray()) throw new IllegalArgumentException("field '" + name + "' is not an array");
            return v;
        }

        private static String text(JsonValue node, String name) {
            JsonValue v = field(node, name);
            if (!v.isTextual()) throw new IllegalArgumentException("field '" + name + "' is not a string");
            return v.asText();
        }

        private static String optText(JsonValue node, String name) {
            JsonValue v = node.get(name);
            return v == null || v.isNull() ? null : v.asText();
        }

        private static long number(JsonValue node, String name) {
            JsonValue v = field(node, name);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new IllegalArgumentException("field '" + name + "' is not a whole number");
            return v.asLong();
        }
    }
}
