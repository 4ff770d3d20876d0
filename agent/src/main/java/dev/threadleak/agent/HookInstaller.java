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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Puts the start hooks into the JDK: defines {@link ThreadLeakHook} into {@code java.lang} (no bootstrap
 * class path, so class-data sharing stays on) and retransforms {@code Thread} and {@code VirtualThread} so
 * that every normal return from a start method calls {@code ThreadLeakHook.started(this)}.
 *
 * <p>Hooked methods, each reached exactly once per started thread:
 * <ul>
 *   <li>{@code Thread.start()}: every platform thread on JDK 17; plain platform threads on 19+.</li>
 *   <li>{@code Thread.start(ThreadContainer)} (JDK 19+): pool workers of ThreadPoolExecutor, ForkJoinPool
 *       and thread-per-task executors.</li>
 *   <li>{@code VirtualThread.start(ThreadContainer)} (JDK 19+): every virtual thread;
 *       {@code VirtualThread.start()} only delegates to it, so it is left alone.</li>
 * </ul>
 * Hooking the return, not the entry, means a start that throws (already started, container closed) is not
 * recorded.
 */
final class HookInstaller implements ClassFileTransformer {
    private static final String HOOK = ThreadLeakHook.RUNTIME_NAME.replace('.', '/');
    private static final String THREAD = "java/lang/Thread";
    private static final String VIRTUAL_THREAD = "java/lang/VirtualThread";
    private static final String START_IN_CONTAINER = "(Ljdk/internal/vm/ThreadContainer;)V";

    private HookInstaller() {}

    /**
     * Installs the hooks and routes them to {@code sink}. Throws if the JDK cannot be hooked.
     *
     * <p>The hooks go in by {@code redefineClasses}, from the class files in the runtime image, and no
     * transformer is registered: a registered transformer sits on every class load's path for the JVM's whole
     * life (the JDK keeps its class-load hook on while any is registered, and under memory pressure prints
     * {@code can't create name string} assertions from it). A redefinition is what any later retransformation
     * starts from, so the hook survives another agent retransforming {@code Thread}. (Retransforming with a
     * transformer of ours and then redefining does not do it on JDK 17: the class file cached at the first
     * retransformation, without the hook, would win.) Where redefinition is not supported, the transformer
     * is registered and stays.
     */
    static void install(Instrumentation inst, Consumer<Thread> sink) throws Exception {
        Class<?> hook = defineHookClass(inst);
        hook.getField("onStart").set(null, sink);
        List<Class<?>> targets = new ArrayList<>(List.of(Thread.class));
        try {
            targets.add(Class.forName("java.lang.VirtualThread", false, null));
        } catch (ClassNotFoundException beforeJdk19) {
            // JDK 17: platform threads only
        }
        if (!inst.isRedefineClassesSupported()) {
            inst.addTransformer(new HookInstaller(), true);
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
            return;
        }
        List<ClassDefinition> definitions = new ArrayList<>();
        for (Class<?> target : targets) {
            String name = target.getName().replace('.', '/');
            byte[] original;
            try (InputStream in = Object.class.getResourceAsStream("/" + name + ".class")) {
                if (in == null) throw new IOException("no class file for " + target.getName() + " in the runtime image");
                original = in.readAllBytes();
            }
            definitions.add(new ClassDefinition(target, hook(name, original)));
        }
        inst.redefineClasses(definitions.toArray(new ClassDefinition[0]));
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

    private static Class<?> defineHookClass(Instrumentation inst) throws IOException, IllegalAccessException {
        Module javaBase = Thread.class.getModule();
        Module agent = HookInstaller.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.lang", Set.of(agent)), Set.of(), Map.of());
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
        if (loader != null || !(THREAD.equals(className) || VIRTUAL_THREAD.equals(className))) return null;
        try {
            return hook(className, bytes);
        } catch (Throwable t) {
            Log.warn("cannot hook " + className.replace('/', '.') + ": " + t);
            return null;
        }
    }

    /** The class file with {@code ThreadLeakHook.started(this)} called before every return of the hooked start methods. */
    static byte[] hook(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
                return isHooked(className, name, desc) ? new CallHookOnReturn(mv) : mv;
            }
        }, 0);
        return writer.toByteArray();
    }

    static boolean isHooked(String className, String method, String desc) {
        if (!method.equals("start")) return false;
        if (THREAD.equals(className)) return desc.equals("()V") || desc.equals(START_IN_CONTAINER);
        return VIRTUAL_THREAD.equals(className) && desc.equals(START_IN_CONTAINER);
    }

    /** Inserts {@code ThreadLeakHook.started(this)} before every {@code return}. */
    private static final class CallHookOnReturn extends MethodVisitor {
        CallHookOnReturn(MethodVisitor mv) {
            super(Opcodes.ASM9, mv);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN) {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "started", "(Ljava/lang/Thread;)V", false);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, 1), maxLocals);
        }
    }
}
