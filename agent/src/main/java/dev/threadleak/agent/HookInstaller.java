package dev.threadleak.agent;

import dev.threadleak.agent.hook.ThreadLeakHook;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassDefinition;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.threadleak.agent.registry.HookFailures;
import dev.threadleak.agent.registry.StartMethods;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Puts the hooks into the JDK: defines {@link ThreadLeakHook} into {@code java.lang} (no bootstrap class
 * path, so class-data sharing stays on) and redefines the classes below so that they call it.
 *
 * <p>Thread starts, each reached exactly once per started thread, on normal return (a start that throws is
 * not recorded):
 * <ul>
 *   <li>{@code Thread.start()}: every platform thread on JDK 17; plain platform threads on 19+.</li>
 *   <li>{@code Thread.start(ThreadContainer)} (JDK 19+): pool workers of ThreadPoolExecutor, ForkJoinPool
 *       and thread-per-task executors.</li>
 *   <li>{@code VirtualThread.start(ThreadContainer)} (JDK 19+): every virtual thread;
 *       {@code VirtualThread.start()} only delegates to it, so it is left alone.</li>
 * </ul>
 * Executors ({@code ThreadPoolExecutor} and so {@code ScheduledThreadPoolExecutor}, {@code ForkJoinPool},
 * and on JDK 21+ {@code ThreadPerTaskExecutor}): the return of each constructor that does not delegate to
 * another of its class (one event per executor, whatever constructor the caller used), and the entry of
 * {@code shutdown}, {@code shutdownNow} and {@code close}. ThreadPoolExecutor's tasks: the entry of
 * {@code execute} and of {@code ScheduledThreadPoolExecutor.delayedExecute} (every submission path ends in
 * one of them), the return of {@code Worker}'s constructor (a worker and its executor), and the
 * {@code task.run()} call in {@code runWorker}. ForkJoinPool's tasks: the entry of {@code externalPush} (17)
 * or {@code poolSubmit} (19+), a task handed over from outside the pool, and of
 * {@code WorkQueue.topLevelExec}, a top-level task a worker is about to run. No task object is wrapped or
 * replaced.
 */
final class HookInstaller implements ClassFileTransformer {
    private static final String HOOK = ThreadLeakHook.RUNTIME_NAME.replace('.', '/');
    private static final String THREAD = "java/lang/Thread";
    private static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    private static final String TPE = "java/util/concurrent/ThreadPoolExecutor";
    private static final String WORKER = "java/util/concurrent/ThreadPoolExecutor$Worker";
    private static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
    private static final String FJP = "java/util/concurrent/ForkJoinPool";
    private static final String FJP_QUEUE = "java/util/concurrent/ForkJoinPool$WorkQueue";
    private static final String PER_TASK = "java/util/concurrent/ThreadPerTaskExecutor";
    private static final String START_IN_CONTAINER = "(Ljdk/internal/vm/ThreadContainer;)V";
    /** Every class hooked, in the order they are redefined; those this JDK lacks are skipped. */
    static final List<String> HOOKED_CLASSES = List.of(THREAD, VIRTUAL_THREAD, TPE, WORKER, STPE, FJP, FJP_QUEUE, PER_TASK);

    /** Says a class it could not hook (the transformer's only output). */
    private final Log log;

    private HookInstaller(Log log) {
        this.log = log;
    }

    /**
     * Installs the hooks and routes them to {@code sinks} (field name of {@link ThreadLeakHook} to sink); returns
     * what reads the Throwables the hook swallows.
     * Throws if the JDK cannot be hooked. Call {@link #openToAgent} first (the hook class is defined into java.lang).
     *
     * <p>The hooks go in by {@code redefineClasses}, from the class files in the runtime image, and no
     * transformer is registered: a registered transformer sits on every class load's path for the JVM's whole
     * life (the JDK keeps its class-load hook on while any is registered, and under memory pressure prints
     * {@code can't create name string} assertions from it). A redefinition is what any later retransformation
     * starts from, so the hooks survive another agent retransforming {@code Thread}. (Retransforming with a
     * transformer of ours and then redefining does not do it on JDK 17: the class file cached at the first
     * retransformation, without the hook, would win.) Where redefinition is not supported, the transformer
     * is registered and stays. The hooked class files are kept in {@code cache} (when there is one) for the next
     * JVM of this JDK build, which then runs no ASM ({@link HookCache}).
     */
    static HookFailures install(Instrumentation inst, Map<String, Object> sinks, HookCache cache, Log log) throws Exception {
        List<Class<?>> targets = new ArrayList<>();
        for (String name : HOOKED_CLASSES) {
            try {
                targets.add(Class.forName(name.replace('/', '.'), false, null)); // loaded, not initialized
            } catch (ClassNotFoundException notInThisJdk) {
                // VirtualThread before 19, ThreadPerTaskExecutor before 21
            }
        }
        boolean redefine = inst.isRedefineClassesSupported();
        int fakeVersion = Integer.getInteger(FAKE_CLASS_FILE_VERSION, -1); // a JDK too new has no file: ASM never hooked it
        List<ClassDefinition> cached = redefine && cache != null && fakeVersion < 0 ? cache.read(targets) : null;
        if (cached == null) checkReadable(classFile(THREAD), fakeVersion);
        Class<?> hook = defineHookClass(inst);
        HookFailures failures = HookFailures.of(hook);
        for (Map.Entry<String, Object> sink : sinks.entrySet()) hook.getField(sink.getKey()).set(null, sink.getValue());
        if (!redefine) {
            inst.addTransformer(new HookInstaller(log), true);
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
            return failures;
        }
        if (cached != null) {
            try {
                inst.redefineClasses(cached.toArray(new ClassDefinition[0]));
                return failures;
            } catch (Exception | LinkageError refused) {
                // not redefined (all or nothing): hooked with ASM below, and the file replaced
            }
        }
        List<ClassDefinition> definitions = new ArrayList<>();
        for (Class<?> target : targets) {
            String name = target.getName().replace('.', '/');
            definitions.add(new ClassDefinition(target, hook(name, classFile(name))));
        }
        inst.redefineClasses(definitions.toArray(new ClassDefinition[0]));
        if (cache != null) cache.write(definitions);
        return failures;
    }

    /** The class file of a JDK class ({@code java/lang/Thread}) from the runtime image. */
    private static byte[] classFile(String internalName) throws IOException {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            if (in == null) throw new IOException("no class file for " + internalName.replace('/', '.') + " in the runtime image");
            return in.readAllBytes();
        }
    }

    /**
     * System property for tests: the class file version to pretend this JDK's classes have, so that "a JDK newer
     * than our ASM" can be tried on the JDKs at hand. The check itself is ASM's own.
     */
    static final String FAKE_CLASS_FILE_VERSION = "threadleak.test.classFileVersion";

    /** This JDK's class files are newer than the ASM inside the agent reads: nothing can be hooked. */
    static final class JdkTooNew extends Exception {
        JdkTooNew(int classFileVersion) {
            super("JDK " + Runtime.version().feature() + " (class file version " + classFileVersion + ") is newer than this threadleak"
                    + " can hook: the application runs without the agent's hooks (no creation sites, no executor data);"
                    + " a newer threadleak supports it");
        }
    }

    /**
     * Throws {@link JdkTooNew} when ASM refuses the class file's version (it checks before reading anything
     * else), before any class is defined or redefined.
     *
     * @param fakeVersion the version to pretend {@code classFile} has, or -1
     */
    static void checkReadable(byte[] classFile, int fakeVersion) throws JdkTooNew {
        byte[] bytes = classFile;
        if (fakeVersion >= 0) {
            bytes = classFile.clone();
            bytes[6] = (byte) (fakeVersion >> 8); // major_version, after magic and minor_version
            bytes[7] = (byte) fakeVersion;
        }
        try {
            new ClassReader(bytes);
        } catch (IllegalArgumentException unsupportedVersion) {
            throw new JdkTooNew((bytes[6] & 0xff) << 8 | bytes[7] & 0xff);
        }
    }

    /** True when a threadleak agent has already hooked this JVM (for example: -javaagent, then attach). */
    static boolean alreadyInstalled() {
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
    static void openToAgent(Instrumentation inst) {
        Module javaBase = Thread.class.getModule();
        Set<Module> agent = Set.of(HookInstaller.class.getModule());
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String pkg : List.of("java.lang", "java.util.concurrent", "jdk.internal.vm")) {
            if (javaBase.getPackages().contains(pkg)) opens.put(pkg, agent); // jdk.internal.vm: JDK 19+
        }
        inst.redefineModule(javaBase, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }

    private static Class<?> defineHookClass(Instrumentation inst) throws IOException, IllegalAccessException {
        byte[] template;
        String resource = ThreadLeakHook.class.getName().replace('.', '/') + ".class";
        try (InputStream in = HookInstaller.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing " + resource + " in the agent jar");
            template = in.readAllBytes();
        }
        byte[] renamed = rename(template, ThreadLeakHook.class.getName().replace('.', '/'), HOOK);
        return MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup()).defineClass(renamed);
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

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || !HOOKED_CLASSES.contains(className)) return null;
        try {
            return hook(className, bytes);
        } catch (Throwable t) {
            log.warn("cannot hook " + className.replace('/', '.') + ": " + t);
            return null;
        }
    }

    /** The class file with its hooks in (see the class comment for which). */
    static byte[] hook(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                return hookMethod(className, name, desc, mv);
            }
        }, 0);
        return writer.toByteArray();
    }

    /** The hook calls, emitted by {@link #emit} (an int, not lambdas: lambdas cost premain a bootstrap). */
    private static final int STARTED = 0, CREATED = 1, SHUT_DOWN = 2, SUBMITTED = 3, WORKER_MADE = 4,
            FJ_SUBMITTED_1 = 5, FJ_SUBMITTED_2 = 6, FJ_RUNNING = 7;

    /** The hook for one method, or {@code mv} itself when the method is not hooked. */
    static MethodVisitor hookMethod(String cls, String name, String desc, MethodVisitor mv) {
        boolean executor = cls.equals(TPE) || cls.equals(FJP) || cls.equals(PER_TASK);
        // Thread.start() and, on 19+, Thread.start(ThreadContainer) and VirtualThread.start(ThreadContainer)
        if (StartMethods.isHooked(cls.replace('/', '.'), name) && (desc.equals(START_IN_CONTAINER) || cls.equals(THREAD) && desc.equals("()V"))) {
            return new BeforeReturn(mv, null, STARTED);
        }
        if (executor && name.equals("<init>")) return new BeforeReturn(mv, cls, CREATED);
        if (executor && (name.equals("shutdown") || name.equals("shutdownNow") || name.equals("close")) && desc.startsWith("()")) {
            return new OnEntry(mv, SHUT_DOWN);
        }
        if (cls.equals(TPE) && name.equals("execute") && desc.equals("(Ljava/lang/Runnable;)V")
                || cls.equals(STPE) && name.equals("delayedExecute")) {
            return new OnEntry(mv, SUBMITTED);
        }
        // ForkJoinPool: a task handed over from outside the pool (externalPush on 17, poolSubmit on 19+), and a
        // top-level task a worker is about to run (WorkQueue.topLevelExec; the pool is the worker's)
        if (cls.equals(FJP) && name.equals("externalPush") && desc.startsWith("(Ljava/util/concurrent/ForkJoinTask;")) {
            return new OnEntry(mv, FJ_SUBMITTED_1);
        }
        if (cls.equals(FJP) && name.equals("poolSubmit") && desc.startsWith("(ZLjava/util/concurrent/ForkJoinTask;")) {
            return new OnEntry(mv, FJ_SUBMITTED_2);
        }
        if (cls.equals(FJP_QUEUE) && name.equals("topLevelExec") && desc.startsWith("(Ljava/util/concurrent/ForkJoinTask;")) {
            return new OnEntry(mv, FJ_RUNNING);
        }
        if (cls.equals(WORKER) && name.equals("<init>")) return new BeforeReturn(mv, null, WORKER_MADE);
        if (cls.equals(TPE) && name.equals("runWorker")) return new BeforeTaskRun(mv);
        return mv;
    }

    /** Emits one hook call; it needs at most {@link #EXTRA_STACK} more operand stack. */
    private static void emit(MethodVisitor m, int call) {
        if (call == FJ_RUNNING) {
            m.visitInsn(Opcodes.ACONST_NULL); // the executor: the running worker's pool, found by the agent
            m.visitVarInsn(Opcodes.ALOAD, 1);
            m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "running", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            return;
        }
        m.visitVarInsn(Opcodes.ALOAD, 0);
        switch (call) {
            case FJ_SUBMITTED_1, FJ_SUBMITTED_2 -> {
                m.visitVarInsn(Opcodes.ALOAD, call == FJ_SUBMITTED_1 ? 1 : 2);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            }
            case STARTED -> m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "started", "(Ljava/lang/Thread;)V", false);
            case CREATED, SHUT_DOWN -> {
                m.visitInsn(Opcodes.ICONST_0 + (call == CREATED ? ThreadLeakHook.CREATED : ThreadLeakHook.SHUT_DOWN));
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "executor", "(Ljava/lang/Object;I)V", false);
            }
            case SUBMITTED -> {
                m.visitVarInsn(Opcodes.ALOAD, 1);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            }
            case WORKER_MADE -> {
                m.visitFieldInsn(Opcodes.GETFIELD, WORKER, "this$0", "L" + TPE + ";");
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitFieldInsn(Opcodes.GETFIELD, WORKER, "thread", "Ljava/lang/Thread;");
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "worker", "(Ljava/lang/Object;Ljava/lang/Thread;)V", false);
            }
            default -> throw new IllegalArgumentException("no hook call " + call);
        }
    }

    private static final int EXTRA_STACK = 3;

    /**
     * Emits the call before every {@code return}. With {@code ownClass} set (constructors), only in a
     * constructor that calls its superclass's constructor, not another of its own class: one call per object.
     */
    private static final class BeforeReturn extends MethodVisitor {
        private final String ownClass;
        private final int call;
        private boolean delegates, sawInit;

        BeforeReturn(MethodVisitor mv, String ownClass, int call) {
            super(Opcodes.ASM9, mv);
            this.ownClass = ownClass;
            this.call = call;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            // a constructor's first invokespecial <init> on this object is this(...) or super(...)
            if (ownClass != null && !sawInit && opcode == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
                sawInit = true;
                delegates = owner.equals(ownClass);
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN && !delegates) emit(mv, call);
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
        }
    }

    /** Emits the call first thing in the method. */
    private static final class OnEntry extends MethodVisitor {
        private final int call;

        OnEntry(MethodVisitor mv, int call) {
            super(Opcodes.ASM9, mv);
            this.call = call;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            emit(mv, call);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
        }
    }

    /** In runWorker: {@code ThreadLeakHook.running(this, task)} just before {@code task.run()}. */
    private static final class BeforeTaskRun extends MethodVisitor {
        BeforeTaskRun(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
            if (opcode == Opcodes.INVOKEINTERFACE && owner.equals("java/lang/Runnable") && name.equals("run") && desc.equals("()V")) {
                super.visitInsn(Opcodes.DUP);                 // task, task
                super.visitVarInsn(Opcodes.ALOAD, 0);         // task, task, this
                super.visitInsn(Opcodes.SWAP);                // task, this, task
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "running", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            }
            super.visitMethodInsn(opcode, owner, name, desc, itf);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + EXTRA_STACK, maxLocals);
        }
    }
}
