package dev.threadleak.agent.foreign;

import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/** Which of the JDK's thread formats a file holds, told by its first bytes (never its name), and reading it. */
public final class JdkInputs {
    /** What a file is. */
    public enum Kind {
        JSTACK(Snapshot.JSTACK_INPUT), JSON(Snapshot.JSON_INPUT), JFR(Snapshot.JFR_INPUT), OTHER("");

        /** How a report names its input. */
        final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    /** Bytes read to tell a format: a jstack dump's header is within its first lines, jcmd's after a pid line. */
    private static final int HEAD = 4096;
    private static final String JFR_MODULE = "jdk.jfr";

    private JdkInputs() {}

    /** The format of {@code file}; {@link Kind#OTHER} for a threadleak dump and anything else. */
    public static Kind kind(Path file) throws IOException {
        byte[] head = new byte[HEAD];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, HEAD);
        }
        if (n >= 4 && Arrays.equals(head, 0, 4, JfrRecording.MAGIC, 0, 4)) return Kind.JFR;
        String text = new String(head, 0, n, StandardCharsets.UTF_8);
        if (JdkJsonDump.looksLikeOne(text)) return Kind.JSON;
        if (JstackText.looksLikeOne(text)) return Kind.JSTACK;
        return Kind.OTHER;
    }

    /** The dumps a file of the JDK's holds (a text file may hold several), oldest first; the message of a failure is one line. */
    static List<JdkDump> read(Path file) throws DumpFormatException {
        try {
            Kind kind = kind(file);
            List<JdkDump> dumps = switch (kind) {
                case JSTACK -> JstackText.parse(Files.readString(file, StandardCharsets.UTF_8), kind.words, ZoneId.systemDefault(),
                        Files.getLastModifiedTime(file).toMillis());
                case JSON -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        yield List.of(JdkJsonDump.read(in, kind.words));
                    }
                }
                case JFR -> {
                    if (RuntimeModules.absent(JFR_MODULE)) throw new DumpFormatException(file + ": " + RuntimeModules.missing("reading a JFR recording", JFR_MODULE, "run threadleak with a full JDK"));
                    yield JfrRecording.read(file, kind.words);
                }
                case OTHER -> throw new DumpFormatException(notAThreadDump(file));
            };
            if (dumps.isEmpty()) throw new DumpFormatException(file + ": a " + kind.words + " with no threads in it");
            return dumps;
        } catch (IOException e) {
            throw new DumpFormatException(file + ": cannot read: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new DumpFormatException(file + ": not a readable " + describe(file) + ": " + e.getMessage());
        }
    }

    /** What is said of a file that is no thread dump of any format threadleak reads. */
    public static String notAThreadDump(Path file) {
        return file + ": not a thread dump threadleak reads (a threadleak dump, jstack or jcmd Thread.print text, a JDK JSON thread dump, a JFR recording)";
    }

    /** True when a file's first character that is not white space opens JSON (an object or an array): a threadleak dump, or meant as one. */
    public static boolean startsLikeJson(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (!Character.isWhitespace(b)) return b == '{' || b == '[';
            }
            return false;
        }
    }

    private static String describe(Path file) {
        try {
            return kind(file).words;
        } catch (IOException e) {
            return "file";
        }
    }
}
