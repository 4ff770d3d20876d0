package dev.threadleak.agent.install;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.config.PrivateDir;
import dev.threadleak.agent.hook.HookPoint;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The hooked class files of one JDK build, and the hook class as it is defined into java.lang, kept in the agent's
 * directory ({@code dir}), so that only the first JVM of a JDK build and agent jar runs ASM at premain: loading ASM and
 * running it cold is about 35 ms, a third of premain; reading the hook class from the agent jar (a second open of the
 * jar, through a URL connection) a few more.
 *
 * <p>The file is trusted as the agent jar is, or not used: it must be this user's, in a directory that is this user's
 * and that no one else may write (the rule dumps follow, {@link PrivateDir}); it is read whole and checked by a CRC-32
 * (zlib's, native: CRC32C is Java code, which premain would run interpreted over the whole file);
 * and its key must name this JDK build (its home, version and runtime image) and this agent jar (its path, size and
 * time) exactly. Any doubt, or a redefinition that fails, and the classes are hooked with ASM as without it; a new
 * file replaces the old one atomically. The {@value #KEPT} newest files are kept (one per JDK build).
 */
public final class HookCache {
    private static final int MAGIC = 0x544c484b; // TLHK
    private static final String PREFIX = "threadleak-hooks-", SUFFIX = ".bin";
    static final int KEPT = 4;

    private final Path dir, file;
    private final String key;
    /** Says (under {@code log=debug}) when the file cannot be read or written. */
    private final Log log;

    /** What a valid file holds: the hook class's bytes, and the hooked class files by internal name, in hooking order. */
    @SuppressWarnings("ArrayRecordComponent") // a carrier between read and redefine: never compared or hashed
    record Hooked(byte[] hookClass, Map<String, byte[]> classes) {}

    private HookCache(Path dir, String key, Log log) {
        this.dir = dir;
        this.key = key;
        this.log = log;
        this.file = dir.resolve(PREFIX + Integer.toHexString(key.hashCode()) + SUFFIX);
    }

    /**
     * The cache for this JVM and agent jar {@code jar} in {@code dir}, or null where there is none: no private directory,
     * no agent jar (null), no runtime image.
     */
    public static HookCache in(Path dir, Path jar, Log log) {
        try {
            if (PrivateDir.ownUid() == null || jar == null) return null; // ownership cannot be checked; nothing to key it to
            Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
            String jarStamp = stamp(jar), modulesStamp = stamp(modules);
            if (jarStamp == null || modulesStamp == null) return null;
            String key = "format 4; hooks " + HookPoint.CLASSES + "; java.home " + System.getProperty("java.home")
                    + "; java.vm.version " + System.getProperty("java.vm.version") + "; java.runtime.version "
                    + System.getProperty("java.runtime.version") + "; modules " + modulesStamp + "; agent " + jar + " " + jarStamp;
            PrivateDir.ensure(dir);
            return new HookCache(dir, key, log);
        } catch (Throwable t) {
            log.debug("hooks-dir", "cannot keep the hooked classes in " + dir + " (" + t + "): every JVM hooks the JDK's classes with ASM");
            return null;
        }
    }

    /** The file this cache reads and writes. */
    Path file() {
        return file;
    }

    /** A regular file's size and time, from one stat; null for anything else. */
    private static String stamp(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.isRegularFile() ? a.size() + "@" + a.lastModifiedTime().toMillis() : null;
    }

    /**
     * The hook class and the hooked class files, or null when there is no valid file. Each class file is read straight
     * into its own array, and the checksum summed as the file is read: premain touches each byte once. (Every page of
     * memory a fresh JVM touches first is a page fault; reading the file whole, then copying each class out of it,
     * touched three times as much and cost 2-3 ms more.)
     */
    Hooked read() {
        try {
            if (!PrivateDir.ownFile(file)) return null;
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                CRC32 crc = new CRC32();
                if (readInt(in, crc) != MAGIC || !text(in, crc).equals(key)) return null;
                int count = readInt(in, crc);
                if (!text(in, crc).equals(HookInstaller.HOOK)) return null;
                byte[] hookClass = bytes(in, crc);
                Map<String, byte[]> classes = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    String name = text(in, crc);
                    if (!HookPoint.CLASSES.contains(name)) return null;
                    classes.put(name, bytes(in, crc));
                }
                long sum = crc.getValue();
                return in.readLong() == sum && in.getFilePointer() == in.length() ? new Hooked(hookClass, classes) : null;
            }
        } catch (NoSuchFileException none) {
            return null; // the first JVM of this JDK build and agent jar here
        } catch (Throwable t) {
            log.debug("hooks-read", "cannot read the hooked classes in " + file + " (" + t + "): hooked with ASM, and the file replaced");
            return null;
        }
    }

    /** Keeps the hook class and the hooked class files for the next JVM; when it cannot, only a debug line (the cache only saves time). */
    void write(Hooked hooked) {
        Path tmp = null;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 18);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            text(out, key);
            out.writeInt(hooked.classes().size());
            text(out, HookInstaller.HOOK);
            out.writeInt(hooked.hookClass().length);
            out.write(hooked.hookClass());
            for (Map.Entry<String, byte[]> c : hooked.classes().entrySet()) {
                text(out, c.getKey());
                out.writeInt(c.getValue().length);
                out.write(c.getValue());
            }
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            tmp = Files.createTempFile(dir, "." + PREFIX, ".tmp", PrivateDir.perms("rw-------"));
            Files.write(tmp, bytes.toByteArray());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            pruneOthers();
        } catch (Throwable t) {
            log.debug("hooks-write", "cannot keep the hooked classes in " + file + " (" + t + "): the next JVM hooks with ASM too");
        } finally {
            try {
                if (tmp != null) Files.deleteIfExists(tmp);
            } catch (Throwable ignored) {
                // a stale .tmp; dumps' clean-up removes old ones
            }
        }
    }

    /** A string as its UTF-8 length (an int) and bytes. */
    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String text(RandomAccessFile in, CRC32 crc) throws IOException {
        return new String(bytes(in, crc), StandardCharsets.UTF_8);
    }

    /** An int length, then that many bytes (no more than the file has left: a damaged length allocates nothing). */
    private static byte[] bytes(RandomAccessFile in, CRC32 crc) throws IOException {
        int n = readInt(in, crc);
        if (n < 0 || n > in.length() - in.getFilePointer()) throw new IOException("length " + n + " past the end");
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        crc.update(bytes);
        return bytes;
    }

    private static int readInt(RandomAccessFile in, CRC32 crc) throws IOException {
        int v = in.readInt();
        for (int shift = 24; shift >= 0; shift -= 8) crc.update(v >>> shift); // big-endian, as written
        return v;
    }

    /** Deletes this agent's older files beyond the newest {@link #KEPT}: one per JDK build (or agent jar) used here. */
    private void pruneOthers() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) files.add(p);
        }
        if (files.size() <= KEPT) return;
        // each file's time read once, before sorting, so that the order holds however the reads go: one that cannot be
        // read (deleted meanwhile) counts as the oldest
        final Map<Path, Long> modified = new HashMap<>();
        for (Path p : files) {
            long at;
            try {
                at = Files.getLastModifiedTime(p).toMillis();
            } catch (IOException gone) {
                at = Long.MIN_VALUE;
            }
            modified.put(p, at);
        }
        files.sort(new java.util.Comparator<Path>() { // newest first; premain: no lambdas, see ARCHITECTURE.md
            @Override
            public int compare(Path a, Path b) {
                return Long.compare(modified.get(b), modified.get(a));
            }
        });
        for (Path old : files.subList(KEPT, files.size())) {
            if (!old.equals(file)) Files.deleteIfExists(old);
        }
    }
}
