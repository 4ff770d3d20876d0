package dev.threadleak.agent.install;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.hook.HookPoint;
import dev.threadleak.agent.hook.ThreadLeakHook;
import dev.threadleak.agent.registry.HookFailures;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts the hooks into the JDK: defines {@link ThreadLeakHook} into {@code java.lang} (no bootstrap class
 * path, so class-data sharing stays on) and redefines the classes of the {@link HookPoint} table so that they
 * call it.
 */
public final class HookInstaller {
    static final String HOOK = ThreadLeakHook.RUNTIME_NAME.replace('.', '/');

    private HookInstaller() {}

    /**
     * Installs the hooks and routes them to {@code sinks} (field name of {@link ThreadLeakHook} to sink); returns
     * what reads the Throwables the hook swallows.
     * Throws if the JDK cannot be hooked. Call {@link #openToAgent} first (the hook class is defined into java.lang).
     *
     * <p>A hooked executor class that is not loaded yet (in premain, as a rule) is defined from its hooked class file into
     * its package, as the boot loader would define it: no original to load, then parse again and swap at a safepoint.
     * A loaded one, and {@code Thread}, are redefined. Either way the hooked file is what any later retransformation
     * starts from, so the hooks survive another agent retransforming {@code Thread} or an executor class.
     * (Retransforming with a transformer of ours and then redefining does not do it on JDK 17: the class file cached
     * at the first retransformation, without the hook, would win.) No transformer is registered: a registered
     * transformer sits on every class load's path for the JVM's whole life (the JDK keeps its class-load hook on while
     * any is registered, and under memory pressure prints {@code can't create name string} assertions from it). Where
     * redefinition is not supported, the transformer is registered and stays. The hooked class files are kept in
     * {@code cache} (when there is one) for the next JVM of this JDK build, which then runs no ASM ({@link HookCache}).
     */
    public static HookFailures install(Instrumentation inst, Map<String, Object> sinks, HookCache cache, Log log) throws Exception {
        boolean redefine = inst.isRedefineClassesSupported();
        int fakeVersion = Integer.getInteger(FAKE_CLASS_FILE_VERSION, -1); // a JDK too new has no file: ASM never hooked it
        HookCache.Hooked cached = redefine && cache != null && fakeVersion < 0 ? cache.read() : null;
        if (cached == null) HookWeaver.checkReadable(classFile(HookPoint.THREAD), fakeVersion);
        byte[] hookClass = cached != null ? cached.hookClass() : hookClassFile();
        Class<?> hook = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup()).defineClass(hookClass);
        if (writingArchive(hook)) throw NotHooked.writingArchive();
        HookFailures failures = HookFailures.of(hook);
        // VarHandles, not Field.set: from JDK 18 reflection builds a method handle per field, 6-9 ms of premain on JDK 25
        MethodHandles.Lookup lookup = MethodHandles.lookup(); // public fields of a public class in an exported package
        for (Map.Entry<String, Object> sink : sinks.entrySet()) {
            lookup.findStaticVarHandle(hook, sink.getKey(), hook.getField(sink.getKey()).getType()).set(sink.getValue());
        }
        if (!redefine) {
            List<Class<?>> targets = new ArrayList<>();
            for (String name : HookPoint.CLASSES) {
                try {
                    targets.add(Class.forName(name.replace('/', '.'), false, null)); // loaded, not initialized
                } catch (ClassNotFoundException notInThisJdk) {
                    // VirtualThread and ThreadPerTaskExecutor before 19
                }
            }
            HookWeaver.retransform(inst, targets, log);
            return failures;
        }
        if (cached != null) {
            try {
                putIn(inst, cached.classes());
                return failures;
            } catch (Exception | LinkageError refused) {
                // not redefined (all or nothing; those defined are in): hooked with ASM below, and the file replaced
                log.debug("hooks-refused", "cannot put in the hooked classes kept in " + cache.file() + " (" + refused
                        + "): hooked with ASM instead, and the file replaced");
            }
        }
        Map<String, byte[]> hooked = new LinkedHashMap<>();
        for (String name : HookPoint.CLASSES) {
            byte[] original = classFileOrNull(name);
            if (original != null) hooked.put(name, HookWeaver.hook(name, original));
        }
        putIn(inst, hooked);
        if (cache != null) cache.write(new HookCache.Hooked(hookClass, hooked));
        return failures;
    }

    /**
     * Puts the hooked class files in, in order (a superclass before its subclasses): each executor class not loaded yet
     * is defined from its file; the loaded ones, and java.lang's (Thread and VirtualThread, which the VM loads as it
     * starts), are redefined together.
     */
    private static void putIn(Instrumentation inst, Map<String, byte[]> hooked) throws Exception {
        MethodHandles.Lookup concurrent = MethodHandles.privateLookupIn(ConcurrentHashMap.class, MethodHandles.lookup());
        List<ClassDefinition> loaded = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : hooked.entrySet()) {
            if (c.getKey().startsWith("java/util/concurrent/") && definedNew(concurrent, c.getValue())) continue;
            loaded.add(new ClassDefinition(Class.forName(c.getKey().replace('/', '.'), false, null), c.getValue()));
        }
        inst.redefineClasses(loaded.toArray(new ClassDefinition[0]));
    }

    /** Defines a hooked java.util.concurrent class, as the boot loader would; false when it is loaded already. */
    private static boolean definedNew(MethodHandles.Lookup concurrent, byte[] hooked) throws IllegalAccessException {
        try {
            concurrent.defineClass(hooked);
            return true;
        } catch (LinkageError loadedAlready) {
            return false; // a duplicate definition, refused with no change: redefined instead
        }
    }

    /** The class file of a JDK class ({@code java/lang/Thread}) from the runtime image. */
    private static byte[] classFile(String internalName) throws IOException {
        byte[] bytes = classFileOrNull(internalName);
        if (bytes == null) throw new IOException("no class file for " + internalName.replace('/', '.') + " in the runtime image");
        return bytes;
    }

    /** As {@link #classFile}, or null when this JDK has no such class (VirtualThread and ThreadPerTaskExecutor before 19). */
    private static byte[] classFileOrNull(String internalName) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    /**
     * System property for tests: the class file version to pretend this JDK's classes have, so that "a JDK newer
     * than our ASM" can be tried on the JDKs at hand. The check itself is ASM's own.
     */
    static final String FAKE_CLASS_FILE_VERSION = "threadleak.test.classFileVersion";

    /** Why nothing is hooked in this JVM, which runs on without the hooks; the message says it to the user. */
    public static final class NotHooked extends Exception {
        private static final long serialVersionUID = 1L;

        private NotHooked(String message) {
            super(message);
        }

        /** This JDK's class files are newer than the ASM inside the agent reads. */
        static NotHooked jdkTooNew(int classFileVersion) {
            return new NotHooked("JDK " + Runtime.version().feature() + " (class file version " + classFileVersion + ") is newer than"
                    + " this threadleak can hook: the application runs without the agent's hooks (no creation sites, no executor data);"
                    + " a newer threadleak supports it");
        }

        /** See {@link #writingArchive}. */
        static NotHooked writingArchive() {
            return new NotHooked("this JVM is writing a CDS archive or an AOT cache, which cannot hold a redefined Thread: not hooked,"
                    + " so this run records no thread creation sites (a run that uses the cache is hooked as usual)");
        }
    }


    /** True when a threadleak agent has already hooked this JVM (for example: -javaagent, then attach). */
    public static boolean alreadyInstalled() {
        try {
            Class.forName(ThreadLeakHook.RUNTIME_NAME, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * Opens the JDK packages whose private fields the agent reads to the agent alone: java.lang (the hook class is
     * defined there; Throwable's backtrace; a thread's task), java.util.concurrent and jdk.internal.vm (the code a
     * task or a virtual thread runs, see CaptureKeys). Before the warm-up, which runs the hot paths that read them.
     */
    public static void openToAgent(Instrumentation inst) {
        Module javaBase = Thread.class.getModule();
        Set<Module> agent = Set.of(HookInstaller.class.getModule());
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String pkg : List.of("java.lang", "java.util.concurrent", "jdk.internal.vm")) {
            if (javaBase.getPackages().contains(pkg)) opens.put(pkg, agent); // jdk.internal.vm: JDK 19+
        }
        inst.redefineModule(javaBase, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }

    /**
     * True while this JVM writes a static CDS archive or an AOT cache ({@code -XX:AOTCacheOutput}, {@code -XX:AOTMode=record}
     * or {@code create}): the JDK's dumper cannot archive a redefined {@code Thread} and crashes the JVM as it exits
     * (JDK 25: a SIGSEGV in {@code SystemDictionaryShared::serialize_vm_classes}), so such a JVM must not be hooked.
     * Such a JVM maps no archive, so one that does ({@code java.vm.info} says "sharing") is not asked further: asking
     * costs premain a method handle, 2-4 ms on JDK 25. (A dynamic archive, {@code -XX:ArchiveClassesAtExit}, is written
     * on top of a mapped one and archives a redefined Thread without harm.) The hook class asks, from java.base.
     */
    private static boolean writingArchive(Class<?> hook) {
        if (System.getProperty("java.vm.info", "").contains("sharing")) return false;
        try {
            return (boolean) MethodHandles.lookup().findStatic(hook, "writingArchive", MethodType.methodType(boolean.class)).invokeExact();
        } catch (Throwable cannotTell) {
            return false;
        }
    }

    /** The hook class's bytes as it is defined into java.lang: its template from the agent jar, renamed. */
    private static byte[] hookClassFile() throws IOException {
        byte[] template;
        String resource = ThreadLeakHook.class.getName().replace('.', '/') + ".class";
        try (InputStream in = HookInstaller.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing " + resource + " in the agent jar");
            template = in.readAllBytes();
        }
        return rename(template, ThreadLeakHook.class.getName().replace('.', '/'), HOOK);
    }

    /**
     * Renames a class by rewriting the one constant-pool entry that holds its internal name: the template
     * refers to itself only through that entry (no self-typed descriptors), and constants are addressed by
     * index, not offset, so the entry may change length. Cheaper at start-up than ASM's ClassRemapper.
     */
    static byte[] rename(byte[] classFile, String from, String to) {
        byte[] old = utf8Entry(from), now = utf8Entry(to);
        int at = indexOf(classFile, old);
        if (at < 0 || indexOf(Arrays.copyOfRange(classFile, at + 1, classFile.length), old) >= 0) {
            throw new IllegalStateException("class name " + from + " not found exactly once in its class file");
        }
        byte[] out = new byte[classFile.length - old.length + now.length];
        System.arraycopy(classFile, 0, out, 0, at);
        System.arraycopy(now, 0, out, at, now.length);
        System.arraycopy(classFile, at + old.length, out, at + now.length, classFile.length - at - old.length);
        return out;
    }

    /** A CONSTANT_Utf8 entry: tag 1, two-byte length, the (ASCII) text. */
    private static byte[] utf8Entry(String text) {
        byte[] chars = text.getBytes(StandardCharsets.US_ASCII);
        byte[] entry = new byte[3 + chars.length];
        entry[0] = 1;
        entry[1] = (byte) (chars.length >> 8);
        entry[2] = (byte) chars.length;
        System.arraycopy(chars, 0, entry, 3, chars.length);
        return entry;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
