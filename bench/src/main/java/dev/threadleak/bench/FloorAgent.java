package dev.threadleak.bench;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The start-up floor of any agent that hooks what threadleak hooks, the way it hooks it (target/floor-agent.jar): premain
 * opens java.lang to itself, defines one class into java.lang, defines the JDK's executor classes from their class files
 * and redefines Thread and VirtualThread, all with the JDK's own bytes, and records nothing. What threadleak's premain
 * costs beyond this agent's is its own (options, registry, reading its hooked classes); this agent's cost beyond the empty
 * agent's is the JDK's price for the hooks, which no design that keeps them can avoid. As threadleak keeps its hooked
 * classes in a file for the next JVM, this agent keeps the JDK's class files in {@code <dir>/threadleak-floor-<JDK build>.bin}
 * (written by its first run; {@code dir} is StartupBench's {@code --dir}, or java.io.tmpdir), so that neither pays the
 * runtime image's reader. See StartupBench {@code --floor}.
 */
public final class FloorAgent {
    /** In the order threadleak puts them in: a superclass before its subclasses. */
    private static final String[] CLASSES = {"java/lang/Thread", "java/lang/VirtualThread", "java/util/concurrent/ThreadPoolExecutor",
        "java/util/concurrent/ThreadPoolExecutor$Worker", "java/util/concurrent/ScheduledThreadPoolExecutor", "java/util/concurrent/ForkJoinPool",
        "java/util/concurrent/ForkJoinPool$WorkQueue", "java/util/concurrent/ThreadPerTaskExecutor"};

    private FloorAgent() {}

    /** Arguments, comma-separated: {@code dir=<path>} for the kept file; {@code time} prints each step's milliseconds to stderr. */
    public static void premain(String args, Instrumentation inst) throws Exception {
        String dir = System.getProperty("java.io.tmpdir");
        boolean time = false;
        for (String arg : args == null ? new String[0] : args.split(",")) {
            if (arg.equals("time")) time = true;
            else if (arg.startsWith("dir=")) dir = arg.substring("dir=".length());
        }
        long t0 = System.nanoTime();
        byte[][] files = classFiles(dir);
        long tRead = System.nanoTime();
        Module javaBase = Thread.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.lang", Set.of(FloorAgent.class.getModule()),
                "java.util.concurrent", Set.of(FloorAgent.class.getModule())), Set.of(), Map.of());
        long tOpen = System.nanoTime();
        // a new class in java.lang, as threadleak's hook class: java.lang.Void's file under another name
        MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup()).defineClass(files[CLASSES.length]);
        long t1 = System.nanoTime();
        MethodHandles.Lookup concurrent = MethodHandles.privateLookupIn(ConcurrentHashMap.class, MethodHandles.lookup());
        List<ClassDefinition> loaded = new ArrayList<>();
        long t2 = System.nanoTime();
        for (int i = 0; i < CLASSES.length; i++) {
            String name = CLASSES[i];
            byte[] bytes = files[i];
            if (bytes == null) continue; // VirtualThread and ThreadPerTaskExecutor before 19
            if (name.startsWith("java/util/concurrent/")) {
                try {
                    concurrent.defineClass(bytes);
                    continue;
                } catch (LinkageError loadedAlready) {
                    // redefined below
                }
            }
            loaded.add(new ClassDefinition(Class.forName(name.replace('/', '.'), false, null), bytes));
        }
        long t3 = System.nanoTime();
        inst.redefineClasses(loaded.toArray(new ClassDefinition[0]));
        long t4 = System.nanoTime();
        if (time) {
            System.err.printf("read the class files %.1f ms, open java.lang %.1f ms, define one class there %.1f ms, define the executors %.1f ms,"
                    + " redefine %d %.1f ms%n", (tRead - t0) / 1e6, (tOpen - tRead) / 1e6, (t1 - tOpen) / 1e6, (t3 - t2) / 1e6, loaded.size(), (t4 - t3) / 1e6);
        }
    }

    /** The class files of {@link #CLASSES} (null where this JDK lacks one), then the class to define into java.lang. */
    private static byte[][] classFiles(String dir) throws IOException {
        // java.io, not java.nio.file: at start-up NIO's file system classes cost milliseconds (as in threadleak's HookCache)
        File kept = new File(dir, "threadleak-floor-".concat(System.getProperty("java.runtime.version")).concat(".bin")); // no +: its first use costs JDK 17 milliseconds
        byte[][] files = new byte[CLASSES.length + 1][];
        if (kept.isFile()) {
            try (RandomAccessFile in = new RandomAccessFile(kept, "r")) {
                for (int i = 0; i < files.length; i++) {
                    int length = in.readInt();
                    if (length >= 0) in.readFully(files[i] = new byte[length]);
                }
            }
            return files;
        }
        for (int i = 0; i < CLASSES.length; i++) files[i] = classFile(CLASSES[i]);
        files[CLASSES.length] = renamed("java/lang/Void", "java/lang/Vo1d");
        Path part = Files.createTempFile(kept.toPath().getParent(), "threadleak-floor", ".part");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(part)))) {
            for (byte[] f : files) {
                out.writeInt(f == null ? -1 : f.length);
                if (f != null) out.write(f);
            }
        }
        Files.move(part, kept.toPath(), StandardCopyOption.ATOMIC_MOVE);
        return files;
    }

    private static byte[] classFile(String name) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + name + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /** A JDK class's file with its name's constant changed (same length), so that it defines a class the JDK lacks. */
    private static byte[] renamed(String from, String to) throws IOException {
        byte[] b = classFile(from);
        byte[] f = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII), t = to.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + f.length <= b.length; i++) {
            for (int j = 0; j < f.length; j++) {
                if (b[i + j] != f[j]) continue outer;
            }
            System.arraycopy(t, 0, b, i, t.length);
        }
        return b;
    }
}
