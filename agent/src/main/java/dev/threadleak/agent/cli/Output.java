package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;

/**
 * What {@code check}, {@code diff} and {@code watch} print: text for people, or JSON for scripts, whose documents
 * each name their schema in a {@code format} field ({@code threadleak-check/1}, …; see docs/cli-json.md).
 */
enum Output {
    TEXT, JSON;

    static final String CHECK_FORMAT = "threadleak-check/1", DIFF_FORMAT = "threadleak-diff/1", WATCH_FORMAT = "threadleak-watch/1";
    private static final JsonFactory FACTORY = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** A generator writing to {@code out}: pretty, for one document; compact, for one object per line (newline-delimited JSON). */
    static JsonGenerator json(OutputStream out, boolean pretty) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        if (pretty) g.useDefaultPrettyPrinter();
        return g;
    }
}
