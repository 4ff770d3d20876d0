package dev.threadleak.agent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file the CLI writes ({@code -o}): whole or not at all. It is written beside its place and moved over it, so a failure
 * midway (a full disk) leaves no half of it and loses no file it was to replace.
 */
final class OutputFile {
    private OutputFile() {}

    static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new IOException("no such directory " + dir);
        if (Files.isDirectory(file)) throw new IOException("it is a directory");
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
