package dev.threadleak.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.io.monitor.FileAlterationMonitor;
import org.apache.commons.io.monitor.FileAlterationObserver;

/**
 * Commons IO, a thread maker the blame rules do not list: a {@code FileAlterationMonitor} started per call (a
 * directory watched per tenant or per reload) and never stopped, against one monitor for the program. Only
 * the application's own code keeps the blame off Commons IO's {@code FileAlterationMonitor.start}: CorpusIT
 * runs this program from a class-path directory and from jars (its {@link Watcher} in a jar of its own).
 */
public final class FileMonitor {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("corpus-watched-");
        dir.toFile().deleteOnExit(); // at exit the JVM deletes the files registered after it first, then the directory
        Watcher.watch(dir);
        Calls.run(args,
                n -> Watcher.watch(dir), // CALLS THE LEAK: the line that blames the leak when Watcher is not the application's own code
                n -> Files.writeString(dir.resolve("file-" + n), "changed").toFile().deleteOnExit());
    }

    /** The application's helper that watches a directory. */
    static final class Watcher {
        static FileAlterationMonitor watch(Path dir) throws Exception {
            FileAlterationMonitor monitor = new FileAlterationMonitor(100, FileAlterationObserver.builder().setPath(dir).get());
            monitor.start(); // LEAK: a monitor thread per call
            return monitor;
        }
    }
}
