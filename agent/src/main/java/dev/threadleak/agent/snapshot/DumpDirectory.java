package dev.threadleak.agent.snapshot;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of dumps as readers see it: which files are dumps, by their names
 * ({@code threadleak-<pid>-<jvm id>-<UTC time>-<sequence>.json}, made by {@link #fileName}), in what order, and which
 * is the newest by the time each dump says it was taken. Dumps of any number of JVMs share a directory; the JVM id
 * in a name tells whose a dump is.
 */
public final class DumpDirectory {
    /** {@code threadleak-<pid>-<jvmid>-<stamp>-<seq>.json}, and the older {@code threadleak-<pid>-<stamp>.json}. */
    private static final Pattern NAME = Pattern.compile("threadleak-(\\d+)-(?:([0-9a-f]{8})-)?(\\d{8}T\\d{9}Z)(?:-(\\d{1,18}))?\\.json");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final JsonFactory JSON = new JsonFactory();

    private DumpDirectory() {}

    /** The name of the dump a JVM writes: its pid, its random id, the snapshot's time (UTC) and the JVM's sequence number. */
    public static String fileName(long pid, String jvmId, long takenAtMs, long sequence) {
        return "threadleak-" + pid + "-" + jvmId + "-" + STAMP.format(Instant.ofEpochMilli(takenAtMs)) + "-"
                + String.format(Locale.ROOT, "%06d", sequence) + ".json";
    }

    /** The JVM id in a dump's name, or null when the name is not a dump's or has none (the older form). */
    public static String jvmIdOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? m.group(2) : null;
    }

    /** The sequence number in a dump's name, or -1 when it has none. */
    public static long sequence(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() && m.group(4) != null ? Long.parseLong(m.group(4)) : -1;
    }

    /** Dump files (regular files named like dumps, of any JVM, in either name form) in {@code dir}, oldest first by the time in their names. */
    public static List<Path> dumps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
                    .sorted(Comparator.comparing((Path p) -> stamp(p)).thenComparingLong(DumpDirectory::sequence).thenComparing(Path::toString))
                    .toList();
        }
    }

    /**
     * The newest dump in {@code dir}, from any JVM: the one whose own {@code takenAtMs} is latest, among the
     * files that start like a dump. A file's name is not trusted for this: one foreign file stamped 2099 must
     * not hide every real dump. The caller still validates the whole file.
     */
    public static Optional<Path> newest(Path dir) throws IOException {
        Path best = null;
        long bestAt = Long.MIN_VALUE;
        for (Path p : dumps(dir)) {
            long at = takenAtMs(p);
            if (at != Long.MIN_VALUE && at >= bestAt) {
                best = p;
                bestAt = at;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Dumps in {@code dir} newest first by their own {@code takenAtMs}; files that do not start like a dump are left out. */
    public static List<Path> newestFirst(Path dir) throws IOException {
        List<Path> all = new ArrayList<>(dumps(dir));
        Map<Path, Long> at = new HashMap<>();
        for (Path p : all) at.put(p, takenAtMs(p));
        all.removeIf(p -> at.get(p) == Long.MIN_VALUE);
        all.sort(Comparator.comparing((Path p) -> at.get(p)).reversed());
        return all;
    }

    /**
     * Reads {@code takenAtMs} from the top of a dump without reading the rest (it is written before the
     * tables); {@link Long#MIN_VALUE} when the file is not a dump of this format or cannot be read.
     */
    private static long takenAtMs(Path p) {
        try (InputStream in = Files.newInputStream(p); JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return Long.MIN_VALUE;
            boolean formatOk = false;
            for (int fields = 0; fields < 32 && parser.nextToken() == JsonToken.FIELD_NAME; fields++) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("format")) {
                    formatOk = value == JsonToken.VALUE_STRING && Snapshot.FORMAT.equals(parser.getText());
                    if (!formatOk) return Long.MIN_VALUE;
                } else if (name.equals("takenAtMs")) {
                    return formatOk && value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : Long.MIN_VALUE;
                } else {
                    parser.skipChildren();
                }
            }
            return Long.MIN_VALUE;
        } catch (IOException | RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    private static String stamp(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? m.group(3) : "";
    }
}
