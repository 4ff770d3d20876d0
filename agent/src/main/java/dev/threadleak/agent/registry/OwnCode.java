package dev.threadleak.agent.registry;

import java.net.URL;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The application's own classes, told apart from its dependencies by where their class files are: in a
 * directory of the class path (the build's output: {@code target/classes}, an IDE's output folder) or in
 * the class-path entry of the main class (the jar of {@code java -jar app.jar} or of {@code -cp app.jar:lib/* Main}),
 * rather than in a dependency's jar. Looked up once per class name on the agent thread (never in a hook),
 * through the system class loader; a class it cannot find there (another loader's, a hidden class) is not
 * known to be the application's.
 */
final class OwnCode implements Predicate<String> {
    /** Classes remembered; past it, a class not yet seen is looked up every time (a few microseconds). */
    private static final int MAX_CLASSES = 20_000;

    private final ClassLoader loader;
    private final String command;
    private final ConcurrentHashMap<String, Boolean> byClass = new ConcurrentHashMap<>();
    /** The main class's class-path entry, found on first use (not in premain); {@link #NONE} when unknown. */
    private volatile Path mainEntry;
    private static final Path NONE = Path.of("");

    /**
     * @param loader  the loader of the application's classes
     * @param command the launch command as in {@code sun.java.command}: the main class or jar, then its arguments (null: unknown)
     */
    OwnCode(ClassLoader loader, String command) {
        this.loader = loader;
        this.command = command;
    }

    /** This JVM's application: the system class loader, the main class or jar of {@code sun.java.command}. */
    static OwnCode ofThisJvm() {
        return new OwnCode(ClassLoader.getSystemClassLoader(), System.getProperty("sun.java.command"));
    }

    @Override
    public boolean test(String className) {
        Boolean own = byClass.get(className);
        if (own == null) {
            own = lookUp(className);
            if (byClass.size() < MAX_CLASSES) byClass.put(className, own);
        }
        return own;
    }

    private boolean lookUp(String className) {
        try {
            URL url = loader.getResource(className.replace('.', '/') + ".class");
            if (url == null) return false;
            if (url.getProtocol().equals("file")) return true; // a directory of the class path
            Path entry = entryOf(url);
            return entry != null && entry.equals(mainEntry());
        } catch (RuntimeException | LinkageError e) {
            return false; // a loader that fails a lookup tells nothing about the class
        }
    }

    private Path mainEntry() {
        Path entry = mainEntry;
        if (entry == null) {
            entry = findMainEntry();
            mainEntry = entry;
        }
        return entry;
    }

    private Path findMainEntry() {
        if (command == null || command.isBlank()) return NONE;
        String main = command.strip().split(" ", 2)[0];
        if (main.endsWith(".jar")) return Path.of(main).toAbsolutePath().normalize();
        main = main.substring(main.indexOf('/') + 1); // -m module/class
        URL url = loader.getResource(main.replace('.', '/') + ".class");
        Path entry = url == null ? null : entryOf(url);
        return entry == null ? NONE : entry;
    }

    /** The jar a {@code jar:file:/x/app.jar!/com/acme/Main.class} URL points into, or null for another kind of URL. */
    private static Path entryOf(URL url) {
        String s = url.toString();
        int bang = s.indexOf("!/");
        if (!s.startsWith("jar:file:") || bang < 0) return null;
        return Path.of(java.net.URI.create(s.substring("jar:".length(), bang))).toAbsolutePath().normalize();
    }
}
