package dev.threadleak.agent.expose;

import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Dump files in one directory: {@code threadleak-<pid>-<UTC time>.json}. Each is written to a temporary
 * file and renamed, so no reader ever sees half a dump; the directory is created {@code 0700} and files
 * {@code 0600} (thread names and stacks can say more than their owner wants). Only the newest {@code keep}
 * dumps of this process are kept.
 */
public final class DumpFiles {
    private static final Pattern NAME = Pattern.compile("threadleak-(\\d+)-(\\d{8}T\\d{9}Z)\\.json");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    /** Temporary files older than this are the remains of a JVM killed mid-write; the next writer removes them. */
    private static final long STALE_TMP_MILLIS = 10 * 60 * 1000;

    private final Path dir;
    private final int keep;
    private boolean staleTmpRemoved;

    public DumpFiles(Path dir, int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes the snapshot as a new dump file and returns its path. Serialized, so the exit dump waits for a
     * periodic one in progress. The new dump is in place before the oldest goes, so a reader never finds
     * the directory empty (it may see {@code keep + 1} dumps for a moment).
     */
    public synchronized Path write(Snapshot snapshot) throws IOException {
        Files.createDirectories(dir, posix("rwx------"));
        if (!staleTmpRemoved) {
            removeStaleTmp();
            staleTmpRemoved = true;
        }
        Path target = dir.resolve("threadleak-" + snapshot.pid() + "-" + STAMP.format(java.time.Instant.ofEpochMilli(snapshot.takenAtMs())) + ".json");
        Path tmp = Files.createTempFile(dir, ".threadleak-" + snapshot.pid() + "-", ".tmp", posix("rw-------"));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = Channels.newOutputStream(ch)) {
                SnapshotCodec.write(snapshot, out);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        prune(snapshot.pid());
        return target;
    }

    /** Deletes this process's oldest dumps beyond {@code keep}. */
    private void prune(long pid) throws IOException {
        List<Path> mine = new ArrayList<>();
        for (Path p : dumps(dir)) {
            Matcher m = NAME.matcher(p.getFileName().toString());
            if (m.matches() && Long.parseLong(m.group(1)) == pid) mine.add(p);
        }
        for (int i = 0; i < mine.size() - keep; i++) Files.deleteIfExists(mine.get(i));
    }

    private void removeStaleTmp() throws IOException {
        long cutoff = System.currentTimeMillis() - STALE_TMP_MILLIS;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".threadleak-") && name.endsWith(".tmp") && Files.getLastModifiedTime(p).toMillis() < cutoff) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Dump files in {@code dir}, oldest first (by the time in their names). */
    public static List<Path> dumps(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> stamp(p)).thenComparing(Path::toString))
                    .toList();
        }
    }

    /** The newest dump in {@code dir}, from any process. */
    public static Optional<Path> newest(Path dir) throws IOException {
        List<Path> all = dumps(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    private static String stamp(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? m.group(2) : "";
    }

    private static FileAttribute<?>[] posix(String perms) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
                : new FileAttribute<?>[0];
    }
}
