package dev.threadleak.agent.install;

import static dev.threadleak.agent.install.HookInstaller.HOOK;

import dev.threadleak.agent.config.Log;
import dev.threadleak.agent.hook.HookPoint;
import dev.threadleak.agent.hook.HookPoint.Call;
import dev.threadleak.agent.hook.ThreadLeakHook;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes the hook calls into the JDK's class files with ASM ({@link HookPoint} says which methods, and where). Its own class so that a JVM that finds the hooked class files in its {@link HookCache} loads
 * neither it nor ASM. It is also the transformer registered where the JVM cannot redefine classes.
 */
final class HookWeaver implements ClassFileTransformer {
    /** Says a class it could not hook (the transformer's only output). */
    private final Log log;

    /**
     * Where redefinition is not supported: a weaver is registered, for good, and the loaded targets are retransformed
     * through it. Here, not in HookInstaller, so that premain's usual path never loads ClassFileTransformer.
     */
    static void retransform(Instrumentation inst, List<Class<?>> targets, Log log) throws UnmodifiableClassException {
        inst.addTransformer(new HookWeaver(log), true);
        inst.retransformClasses(targets.toArray(new Class<?>[0]));
    }

    HookWeaver(Log log) {
        this.log = log;
    }

    /**
     * Throws {@link HookInstaller.NotHooked} when ASM refuses the class file's version (it checks before reading anything
     * else), before any class is defined or redefined.
     *
     * @param fakeVersion the version to pretend {@code classFile} has, or -1
     */
    static void checkReadable(byte[] classFile, int fakeVersion) throws HookInstaller.NotHooked {
        byte[] bytes = classFile;
        if (fakeVersion >= 0) {
            bytes = classFile.clone();
            bytes[6] = (byte) (fakeVersion >> 8); // major_version, after magic and minor_version
            bytes[7] = (byte) fakeVersion;
        }
        try {
            new ClassReader(bytes);
        } catch (IllegalArgumentException unsupportedVersion) {
            throw HookInstaller.NotHooked.jdkTooNew(((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff));
        }
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (loader != null || !HookPoint.CLASSES.contains(className)) return null;
        try {
            return hook(className, bytes);
        } catch (Throwable t) {
            log.warn("cannot hook " + className.replace('/', '.') + ": " + t);
            return null;
        }
    }

    /** The class file with its hooks in. */
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

    /** The hook for one method, or {@code mv} itself when the method is not hooked. */
    static MethodVisitor hookMethod(String cls, String name, String desc, MethodVisitor mv) {
        HookPoint point = HookPoint.of(cls, name, desc);
        if (point == null) return mv;
        return switch (point.call) {
            case STARTED, WORKER_MADE -> new BeforeReturn(mv, null, point.call);
            case CREATED -> new BeforeReturn(mv, cls, point.call);
            case BEFORE_TASK_RUN -> new BeforeTaskRun(mv);
            default -> new OnEntry(mv, point.call);
        };
    }

    /** Emits one hook call; it needs at most {@link #EXTRA_STACK} more operand stack. */
    private static void emit(MethodVisitor m, Call call) {
        if (call == Call.FJ_RUNNING) {
            m.visitInsn(Opcodes.ACONST_NULL); // the executor: the running worker's pool, found by the agent
            m.visitVarInsn(Opcodes.ALOAD, 1);
            m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "running", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            return;
        }
        m.visitVarInsn(Opcodes.ALOAD, 0);
        switch (call) {
            case FJ_SUBMITTED_1, FJ_SUBMITTED_2 -> {
                m.visitVarInsn(Opcodes.ALOAD, call == Call.FJ_SUBMITTED_1 ? 1 : 2);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            }
            case STARTED -> m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "started", "(Ljava/lang/Thread;)V", false);
            case CREATED, SHUT_DOWN -> {
                m.visitInsn(Opcodes.ICONST_0 + (call == Call.CREATED ? ThreadLeakHook.CREATED : ThreadLeakHook.SHUT_DOWN));
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "executor", "(Ljava/lang/Object;I)V", false);
            }
            case SUBMITTED -> {
                m.visitVarInsn(Opcodes.ALOAD, 1);
                m.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "submitted", "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
            }
            case WORKER_MADE -> {
                m.visitFieldInsn(Opcodes.GETFIELD, HookPoint.WORKER, "this$0", "L" + HookPoint.TPE + ";");
                m.visitVarInsn(Opcodes.ALOAD, 0);
                m.visitFieldInsn(Opcodes.GETFIELD, HookPoint.WORKER, "thread", "Ljava/lang/Thread;");
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
        private final Call call;
        private boolean delegates, sawInit;

        BeforeReturn(MethodVisitor mv, String ownClass, Call call) {
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
        private final Call call;

        OnEntry(MethodVisitor mv, Call call) {
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
