package dev.threadleak.agent;

import dev.threadleak.agent.expose.PrivateDir;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
final class HookCache {
    private static final int MAGIC = 0x544c484b; // TLHK
    private static final String PREFIX = "threadleak-hooks-", SUFFIX = ".bin";
    static final int KEPT = 4;

    private final Path dir, file;
    private final String key;

    /** What a valid file holds: the hook class's bytes, and the hooked class files by internal name, in hooking order. */
    record Hooked(byte[] hookClass, Map<String, byte[]> classes) {}

    private HookCache(Path dir, String key) {
        this.dir = dir;
        this.key = key;
        this.file = dir.resolve(PREFIX + Integer.toHexString(key.hashCode()) + SUFFIX);
    }

    /** The cache for this JVM in {@code dir}, or null where there is none: no private directory, no agent jar, no runtime image. */
    static HookCache in(Path dir) {
        try {
            if (PrivateDir.ownUid() == null) return null; // ownership cannot be checked
            Path jar = Path.of(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
            if (!Files.isRegularFile(jar) || !Files.isRegularFile(modules)) return null;
            String key = "format 4; hooks " + HookInstaller.HOOKED_CLASSES + "; java.home " + System.getProperty("java.home")
                    + "; java.vm.version " + System.getProperty("java.vm.version") + "; java.runtime.version "
                    + System.getProperty("java.runtime.version") + "; modules " + stamp(modules) + "; agent " + jar + " " + stamp(jar);
            PrivateDir.ensure(dir);
            return new HookCache(dir, key);
        } catch (Throwable t) {
            return null; // no cache: hooked with ASM
        }
    }

    private static String stamp(Path p) throws IOException {
        return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
    }

    /**
     * The hook class and the hooked class files, or null when there is no valid file. Read with java.io and a
     * ByteBuffer, which premain has loaded already (NIO channels and DataInputStream cost it classes).
     */
    Hooked read() {
        try {
            if (!PrivateDir.ownFile(file)) return null;
            byte[] all;
            try (InputStream in = new FileInputStream(file.toFile())) {
                all = in.readAllBytes();
            }
            if (all.length < 8) return null;
            CRC32 crc = new CRC32();
            crc.update(all, 0, all.length - 8);
            ByteBuffer in = ByteBuffer.wrap(all, 0, all.length - 8);
            if (crc.getValue() != ByteBuffer.wrap(all).getLong(all.length - 8)) return null;
            if (in.getInt() != MAGIC || !text(in).equals(key)) return null;
            int count = in.getInt();
            if (!text(in).equals(HookInstaller.HOOK)) return null;
            byte[] hookClass = bytes(in);
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = text(in);
                if (!HookInstaller.HOOKED_CLASSES.contains(name)) return null;
                classes.put(name, bytes(in));
            }
            return in.hasRemaining() ? null : new Hooked(hookClass, classes);
        } catch (Throwable t) {
            return null; // damaged (a length past the end, a bad string): hooked with ASM, and the file replaced
        }
    }

    /** Keeps the hook class and the hooked class files for the next JVM; silent when it cannot (the cache only saves time). */
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
            // next JVM hooks with ASM too
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

    private static String text(ByteBuffer in) {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    /** An int length, then that many bytes. */
    private static byte[] bytes(ByteBuffer in) {
        byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return bytes;
    }

    /** Deletes this agent's older files beyond the newest {@link #KEPT}: one per JDK build (or agent jar) used here. */
    private void pruneOthers() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) files.add(p);
        }
        if (files.size() <= KEPT) return;
        files.sort(new java.util.Comparator<Path>() { // newest first; not a lambda: premain pays a lambda's bootstrap
            @Override
            public int compare(Path a, Path b) {
                try {
                    return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
                } catch (IOException e) {
                    return 0;
                }
            }
        });
        for (Path old : files.subList(KEPT, files.size())) {
            if (!old.equals(file)) Files.deleteIfExists(old);
        }
    }
}
