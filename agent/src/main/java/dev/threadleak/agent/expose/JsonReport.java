package dev.threadleak.agent.expose;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.SiteGroup;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The report for scripts: totals, findings and groups (what the text report shows) as JSON, format
 * {@value #FORMAT}. The dump stays the full record; this is its summary.
 */
public final class JsonReport {
    public static final String FORMAT = "threadleak-report/1";
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private JsonReport() {}

    public static void write(Snapshot s, String source, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeStringField("source", source);
            SnapshotCodec.writeHeader(g, s); // the same names as in the dump
            g.writeArrayFieldStart("findings");
            for (Finding f : s.findings()) SnapshotCodec.writeFinding(g, s, f);
            g.writeEndArray();
            g.writeArrayFieldStart("groups");
            for (SiteGroup group : SiteGroup.of(s)) group(g, s, group);
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }

    private static void group(JsonGenerator g, Snapshot s, SiteGroup group) throws IOException {
        List<ThreadEntry> threads = group.threads();
        SiteInfo site = group.site();
        g.writeStartObject();
        if (site != null) {
            if (site.blameFrame() != null) g.writeStringField("blame", site.blameFrame().toString());
            g.writeStringField("site", group.poolWorkers() ? "executor" : "thread");
            g.writeNumberField(group.poolWorkers() ? "executorsBuilt" : "started", group.started());
        } else {
            g.writeStringField("origin", group.origin().name());
        }
        g.writeNumberField("live", threads.size() + (site == null ? 0 : site.notListed()));
        if (site != null && site.notListed() > 0) g.writeNumberField("notListed", site.notListed());
        counts(g, "states", group.states());
        counts(g, "waits", group.waits());
        g.writeNumberField("longestWaitMs", group.longestWaitMs());
        g.writeNumberField("oldestAgeMs", threads.get(0).ageMs(s.takenAtMs()));
        g.writeNumberField("youngestAgeMs", threads.get(threads.size() - 1).ageMs(s.takenAtMs()));
        g.writeArrayFieldStart("names");
        for (String n : group.namePatterns()) g.writeString(n);
        g.writeEndArray();
        if (site != null) {
            g.writeArrayFieldStart("stack");
            for (Frame f : site.stack()) g.writeString(f.toString());
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void counts(JsonGenerator g, String field, Map<String, Integer> counts) throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, Integer> e : counts.entrySet()) g.writeNumberField(e.getKey(), e.getValue());
        g.writeEndObject();
    }
}
