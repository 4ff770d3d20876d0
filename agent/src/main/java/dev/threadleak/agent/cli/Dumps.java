package dev.threadleak.agent.cli;

import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.foreign.JdkInputs;
import dev.threadleak.agent.foreign.JdkSnapshots;
import dev.threadleak.agent.snapshot.DumpDirectory;
import dev.threadleak.agent.snapshot.DumpFormatException;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/** Reading dumps the CLI is given: a file, or a directory of them. Every problem is one line ({@link UsageException}). */
final class Dumps {
    /** How the commands that read dumps describe their inputs. */
    static final String INPUTS = "a dump file, or a directory of dumps (its newest is read); or the JDK's thread dumps of one JVM:",
            JDK_INPUTS = "jstack or jcmd Thread.print text, JSON thread dumps, JFR recordings (files, or a directory of them), judged oldest first";

    private Dumps() {}

    /** A dump file and what it holds; {@code source}: how a report names where it came from. */
    record Dump(Path file, Snapshot snapshot, String source) {
        Dump(Path file, Snapshot snapshot) {
            this(file, snapshot, file.toString());
        }
    }

    /**
     * The dump the inputs come to: a threadleak dump, or a directory's newest; or the JDK's dumps of a JVM (files, each
     * maybe holding several, or a directory of them), made into snapshots judged oldest first by {@code jdk}, the newest
     * returned. Several inputs are JDK dumps only: a threadleak dump already holds the agent's findings.
     */
    static Dump resolve(List<Path> given, JdkSnapshots jdk, String command) throws UsageException {
        List<Path> files = jdkFiles(given, command);
        return files.isEmpty() ? resolve(given.get(0)) : last(readJdk(files, jdk), files);
    }

    /**
     * The JDK dumps the inputs are (files, or a directory of them), or none when they are one threadleak dump or directory.
     * Several inputs are JDK dumps only: a threadleak dump already holds the agent's findings.
     */
    static List<Path> jdkFiles(List<Path> given, String command) throws UsageException {
        if (given.size() == 1) return jdkInputsIn(given.get(0));
        for (Path p : given) {
            if (!Files.exists(p)) throw new UsageException(p + ": no such file or directory");
            if (!isJdkInput(p)) {
                throw new UsageException(command + ": " + p + ": not a JDK thread dump; several inputs are one JVM's jstack or jcmd text, JSON thread"
                        + " dumps or JFR recordings (a threadleak dump or directory is given alone)");
            }
        }
        return given;
    }

    /** Every snapshot the JDK dumps of {@code files} make, oldest first. */
    static List<Snapshot> readJdk(List<Path> files, JdkSnapshots jdk) throws UsageException {
        try {
            return jdk.read(files);
        } catch (DumpFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Dump last(List<Snapshot> read, List<Path> files) {
        return new Dump(files.get(files.size() - 1), read.get(read.size() - 1), source(files));
    }

    /** How a report names JDK dump files it read: the one, or the first and last of several. */
    static String source(List<Path> files) {
        Path newest = files.get(files.size() - 1);
        return files.size() == 1 ? newest.toString() : files.get(0) + " … " + newest + " (" + files.size() + " files)";
    }

    /** A regular file in one of the JDK's thread formats (jstack text, JSON thread dump, JFR). */
    static boolean isJdkInput(Path p) {
        try {
            return Files.isRegularFile(p) && JdkInputs.kind(p) != JdkInputs.Kind.OTHER;
        } catch (IOException e) {
            return false;
        }
    }

    /** The JDK thread dumps in a directory, by name (their own times order them when read). */
    static List<Path> jdkInputs(Path dir) throws UsageException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Dumps::isJdkInput).sorted().toList();
        } catch (IOException e) {
            throw new UsageException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    /** The JDK dumps one input holds: itself, or a directory's when it holds no threadleak dump; none else. */
    static List<Path> jdkInputsIn(Path p) throws UsageException {
        if (isJdkInput(p)) return List.of(p);
        return Files.isDirectory(p) && noThreadleakDumps(p) ? jdkInputs(p) : List.of();
    }

    private static boolean noThreadleakDumps(Path dir) throws UsageException {
        try {
            return DumpDirectory.dumps(dir).isEmpty();
        } catch (IOException e) {
            throw new UsageException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    /**
     * A dump file as given, or the newest dump of a directory: the newest by the time the dump itself says it
     * was taken, among the files that read as dumps (a file's name proves nothing). Only regular files are
     * read: a FIFO or device named like a dump would block or never end.
     */
    static Dump resolve(Path given) throws UsageException {
        if (!Files.isDirectory(given)) return new Dump(given, load(given));
        List<Path> candidates = newestFirst(given);
        UsageException first = null;
        for (Path p : candidates) {
            try {
                return new Dump(p, load(p));
            } catch (UsageException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw new UsageException(given + ": no readable threadleak dump in this directory (newest: " + first.getMessage() + ")");
        throw noDumps(given);
    }

    /** The dumps of a directory, oldest first by the time each says it was taken; at least one. */
    static List<Path> oldestFirst(Path dir) throws UsageException {
        if (!Files.exists(dir)) throw new UsageException(dir + ": no such file or directory");
        if (!Files.isDirectory(dir)) throw new UsageException(dir + ": not a directory");
        List<Path> all = new ArrayList<>(newestFirst(dir));
        if (all.isEmpty()) throw noDumps(dir);
        Collections.reverse(all);
        return all;
    }

    private static List<Path> newestFirst(Path dir) throws UsageException {
        try {
            return DumpDirectory.newestFirst(dir);
        } catch (IOException e) {
            throw new UsageException(dir + ": cannot list directory: " + e.getMessage());
        }
    }

    private static UsageException noDumps(Path dir) throws UsageException {
        List<Path> named;
        try {
            named = DumpDirectory.dumps(dir);
        } catch (IOException e) {
            throw new UsageException(dir + ": cannot list directory: " + e.getMessage());
        }
        if (!named.isEmpty()) {
            return new UsageException(dir + ": no readable threadleak dump in this directory (" + named.size() + " file"
                    + (named.size() == 1 ? " named like a dump does not start" : "s named like dumps do not start") + " like one)");
        }
        return new UsageException(dir + ": no threadleak dumps in this directory");
    }

    static Snapshot load(Path file) throws UsageException {
        if (!Files.exists(file)) throw new UsageException(file + ": no such file or directory");
        if (!Files.isRegularFile(file)) throw new UsageException(file + ": not a regular file or directory");
        try (InputStream in = Files.newInputStream(file)) {
            // neither JSON nor one of the JDK's formats: say what is read, not what the JSON parser tripped on
            if (Files.size(file) > 0 && !JdkInputs.startsLikeJson(file)) throw new UsageException(JdkInputs.notAThreadDump(file));
            return SnapshotCodec.read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new UsageException(file + ": cannot read: " + e.getMessage());
        } catch (DumpFormatException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
