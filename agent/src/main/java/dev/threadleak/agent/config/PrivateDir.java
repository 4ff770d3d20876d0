package dev.threadleak.agent.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The rule for the agent's directory (dumps, and the hooked JDK classes): this user's own, and no one else may write
 * it. Files there are trusted as the agent jar is; a directory another user can write is not used at all.
 */
public final class PrivateDir {
    static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** See {@link #ownUid}: read once, for every check asks it (premain three times, each dump once more). */
    private static final Object OWN_UID = readOwnUid();

    private PrivateDir() {}

    /** Creates the directory ({@code 0700}) when it is missing, then {@link #check}s it. */
    public static void ensure(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) Files.createDirectories(dir, perms("rwx------"));
        check(dir);
    }

    /**
     * Refuses a directory that another user owns, or that group or others may write: files there could be
     * read, replaced or deleted by them. (A directory this JVM just created is {@code 0700} and its own.)
     */
    public static void check(Path dir) throws IOException {
        if (!POSIX) return;
        Map<String, Object> link = stat(dir, LinkOption.NOFOLLOW_LINKS);
        // a symbolic link must be this user's too (or another user could point it elsewhere), and so must its target
        Map<String, Object> target = type(link) == S_IFLNK ? stat(dir) : link;
        for (Object o : new Object[] {link.get("uid"), target.get("uid")}) {
            if (OWN_UID != null && !OWN_UID.equals(o)) {
                throw new IOException("directory is owned by another user (uid " + o + "), not used: dumps there could be read or replaced by them");
            }
        }
        int mode = (Integer) target.get("mode");
        if (othersMayWrite(mode)) {
            throw new IOException("directory is writable by other users (" + PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))
                    + "), not used: dumps there could be replaced or deleted (chmod go-w it, or choose another dir)");
        }
    }

    /** True when a file (not a link) is this user's and no one else may write it; false where that cannot be told. */
    public static boolean ownFile(Path file) throws IOException {
        if (!POSIX || OWN_UID == null) return false;
        Map<String, Object> attrs = stat(file, LinkOption.NOFOLLOW_LINKS);
        return type(attrs) == S_IFREG && OWN_UID.equals(attrs.get("uid")) && !othersMayWrite((Integer) attrs.get("mode"));
    }

    /** Creation attributes giving these permissions ({@code rwx------}) where the file system has them. */
    public static FileAttribute<?>[] perms(String perms) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
                : new FileAttribute<?>[0];
    }

    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFLNK = 0120000, GROUP_OR_OTHERS_WRITE = 0022;

    /**
     * Owner and mode (type and permission bits) in one stat: each check runs in premain (the hooked-classes file), where
     * every attribute read is a system call and a map built by interpreted code.
     */
    private static Map<String, Object> stat(Path p, LinkOption... options) throws IOException {
        return Files.readAttributes(p, "unix:uid,mode", options);
    }

    private static int type(Map<String, Object> attrs) {
        return (Integer) attrs.get("mode") & S_IFMT;
    }

    private static boolean othersMayWrite(int mode) {
        return (mode & GROUP_OR_OTHERS_WRITE) != 0;
    }

    /** This process's user id: the owner of /proc/self (Linux); null where there is none (then only permissions are checked). */
    public static Object ownUid() {
        return OWN_UID;
    }

    private static Object readOwnUid() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) { // no /proc (not Linux), or no unix view
            return null;
        }
    }
}
