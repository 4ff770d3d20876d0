package dev.threadleak.agent.expose;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

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
        Object me = OWN_UID;
        // a symbolic link must be this user's too (or another user could point it elsewhere), and so must its target
        Object linkOwner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object owner = Files.getAttribute(dir, "unix:uid");
        for (Object o : new Object[] {linkOwner, owner}) {
            if (me != null && !me.equals(o)) {
                throw new IOException("directory is owned by another user (uid " + o + "), not used: dumps there could be read or replaced by them");
            }
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (othersMayWrite(perms)) {
            throw new IOException("directory is writable by other users (" + PosixFilePermissions.toString(perms)
                    + "), not used: dumps there could be replaced or deleted (chmod go-w it, or choose another dir)");
        }
    }

    /** True when a file (not a link) is this user's and no one else may write it; false where that cannot be told. */
    public static boolean ownFile(Path file) throws IOException {
        Object me = OWN_UID;
        return POSIX && me != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                && me.equals(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                && !othersMayWrite(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    /** Creation attributes giving these permissions ({@code rwx------}) where the file system has them. */
    public static FileAttribute<?>[] perms(String perms) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(perms))}
                : new FileAttribute<?>[0];
    }

    private static boolean othersMayWrite(Set<PosixFilePermission> perms) {
        return perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    /** This process's user id: the owner of /proc/self (Linux); null where there is none (then only permissions are checked). */
    public static Object ownUid() {
        return OWN_UID;
    }

    private static Object readOwnUid() {
        try {
            Path self = Path.of("/proc/self");
            return Files.exists(self) ? Files.getAttribute(self, "unix:uid") : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
