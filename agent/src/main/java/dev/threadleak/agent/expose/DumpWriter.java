package dev.threadleak.agent.expose;

import dev.threadleak.agent.config.PrivateDir;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * The agent's writer of its JVM's dumps into one directory, named as {@link DumpDirectory#fileName} says. The JVM id
 * is random per JVM, so JVMs that share a pid (containers: each JVM is pid 1) and a directory never take each
 * other's dumps for their own. Each dump is written to a temporary file and renamed, so no reader ever sees
 * half a dump; the directory is created {@code 0700}, and an existing one is used only if this user owns it
 * and nobody else may write it; files are {@code 0600} (thread names and stacks can say more than their
 * owner wants). Only the newest {@code keep} dumps of this JVM are kept, by its own sequence number (a
 * clock stepped backwards changes nothing), and the dump just written is never deleted. When the file
 * system is short of space, this JVM's oldest dumps go first, so the newest state still fits.
 */
public final class DumpWriter {
    /** Temporary files older than this are the remains of a JVM killed mid-write; the next writer removes them. */
    private static final long STALE_TMP_MILLIS = 10 * 60 * 1000;
    /** Space is short when the file system has less than this many times the last dump's size left. */
    static final int SPACE_FACTOR = 2;

    private final Path dir;
    private final int keep;
    private final String jvmId;
    private final BiConsumer<String, String> warnOnce;
    private boolean staleTmpRemoved;
    private long sequence;
    /** Size of the last dump written (or the part of one written before the disk filled up); 0 before any. */
    private long lastSize;

    /**
     * @param warnOnce says a problem that is not a failed write (a dump that could not be deleted) once per key
     */
    public DumpWriter(Path dir, int keep, BiConsumer<String, String> warnOnce) {
        this.dir = dir;
        this.keep = keep;
        this.warnOnce = warnOnce;
        // not the pid alone, not the start time alone: two containers' JVMs can match on both
        Random random = new Random(System.nanoTime() ^ System.identityHashCode(this) ^ System.currentTimeMillis());
        this.jvmId = String.format(java.util.Locale.ROOT, "%08x", random.nextInt());
    }

    public DumpWriter(Path dir, int keep) {
        this(dir, keep, (key, message) -> { });
    }

    public Path dir() {
        return dir;
    }

    /** The random id in this JVM's dump names. */
    public String jvmId() {
        return jvmId;
    }

    /**
     * Writes the snapshot as a new dump file and returns its path. Serialized, so the exit dump waits for a
     * periodic one in progress. The new dump is in place before the oldest goes, so a reader never finds
     * the directory empty (it may see {@code keep + 1} dumps for a moment). Throws only when the dump was not
     * written; a dump that cannot be pruned is a warning.
     */
    public synchronized Path write(Snapshot snapshot) throws IOException {
        return write(snapshot, true);
    }

    /**
     * Writes the snapshot as {@link #write} does, to a temporary file that is then deleted: every class a write
     * needs (the JSON writer's, the file system's) is initialized now, while the host has memory. A class whose
     * initializer runs out of memory later is unusable for the JVM's life, and dumps would stop for good.
     * Silent about I/O problems: the first real write says them.
     */
    public synchronized void rehearse(Snapshot snapshot) {
        try {
            write(snapshot, false);
        } catch (IOException e) {
            // said by the first write
        }
    }

    private Path write(Snapshot snapshot, boolean keep) throws IOException {
        PrivateDir.ensure(dir);
        if (!staleTmpRemoved) {
            staleTmpRemoved = true;
            try {
                removeStaleTmp();
            } catch (IOException e) {
                warnOnce.accept("prune", "cannot remove old temporary files in " + dir + ": " + e);
            }
        }
        if (lastSize > 0 && spaceShort()) makeRoom();
        long seq = keep ? ++sequence : sequence + 1;
        Path target = dir.resolve(DumpDirectory.fileName(snapshot.pid(), jvmId, snapshot.takenAtMs(), seq));
        Path tmp = Files.createTempFile(dir, ".threadleak-" + snapshot.pid() + "-", ".tmp", PrivateDir.perms("rw-------"));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = Channels.newOutputStream(ch)) {
                SnapshotCodec.write(snapshot, out);
                ch.force(true);
            }
            lastSize = Files.size(tmp);
            if (!keep) target = tmp.resolveSibling(".threadleak-" + snapshot.pid() + "-rehearsal.tmp"); // stale .tmp files are removed
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                lastSize = Math.max(lastSize, Files.size(tmp)); // what fitted: at least that much is needed next time
            } catch (IOException gone) {
                // no estimate
            }
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
        if (!keep) {
            spaceShort(); // what the next writes do besides: the free-space check and the listing that pruning does
            mine();
            Files.deleteIfExists(target);
            return null;
        }
        prune(target);
        return target;
    }

    private boolean spaceShort() {
        try {
            return Files.getFileStore(dir).getUsableSpace() < SPACE_FACTOR * lastSize;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes this JVM's oldest dumps, one by one, until the space is no longer short; the newest one stays. */
    private void makeRoom() {
        List<Path> mine = mine();
        for (int i = 0; i < mine.size() - 1 && spaceShort(); i++) delete(mine.get(i));
    }

    /** Deletes this JVM's oldest dumps beyond {@code keep}; never {@code justWritten}. */
    private void prune(Path justWritten) {
        List<Path> mine = mine();
        for (int i = 0; i < mine.size() - keep; i++) {
            if (!mine.get(i).equals(justWritten)) delete(mine.get(i));
        }
    }

    private void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            warnOnce.accept("prune", "cannot delete old dump " + p + " (dumps are still written): " + e);
        }
    }

    /** This JVM's dumps, oldest first by its own sequence number. */
    private List<Path> mine() {
        List<Path> mine = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (jvmId.equals(DumpDirectory.jvmIdOf(p))) mine.add(p);
            }
        } catch (IOException e) {
            warnOnce.accept("prune", "cannot list " + dir + " to delete old dumps (dumps are still written): " + e);
        }
        mine.sort(Comparator.comparingLong(DumpDirectory::sequence));
        return mine;
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
}
