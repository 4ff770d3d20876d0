package dev.threadleak.agent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.threadleak.agent.hook.HookPoint;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class HookInstallerTest {
    private static byte[] threadClass() throws Exception {
        return classFile(HookPoint.THREAD);
    }

    /** A class file of the running JDK, or null when it has no such class. */
    private static byte[] classFile(String internalName) throws Exception {
        try (InputStream in = Object.class.getResourceAsStream("/" + internalName + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }

    @Test
    void theRunningJdksClassFilesAreReadable() throws Exception {
        byte[] thread = threadClass();
        assertThatCode(() -> HookWeaver.checkReadable(thread, -1)).doesNotThrowAnyException();
        int major = (thread[6] & 0xff) << 8 | thread[7] & 0xff;
        assertThatCode(() -> HookWeaver.checkReadable(thread, major)).doesNotThrowAnyException();
    }

    @Test
    void aClassFileVersionNewerThanAsmKnowsIsOneClearMessage() throws Exception {
        assertThatThrownBy(() -> HookWeaver.checkReadable(threadClass(), 255)).isInstanceOf(HookInstaller.NotHooked.class)
                .hasMessageContaining("(class file version 255) is newer than this threadleak can hook")
                .hasMessageContaining("the application runs without the agent's hooks");
    }

    /**
     * Every call to the hook class in the running JDK's classes once the weaver has hooked them, as
     * {@code Class.method(descriptor) -> hook}, one entry per call site: the methods the HookPoint table names
     * and nothing else. A start or a constructor calls the hook once, before its one return; a constructor that
     * delegates to another of its class ({@code this(...)}) does not call it.
     */
    @Test
    void theWeaverCallsTheHookFromExactlyTheHookPoints() throws Exception {
        int jdk = Runtime.version().feature();
        assumeTrue(HOOK_CALLS.containsKey(jdk), "the hook calls are listed for JDK 17 and 25, the JDKs the agent is tested on");
        List<String> calls = new ArrayList<>();
        for (String name : HookPoint.CLASSES) {
            byte[] original = classFile(name);
            if (original == null) continue; // VirtualThread and ThreadPerTaskExecutor before 19
            assertThat(hookCalls(original)).as("calls to the hook in the unhooked %s", name).isEmpty();
            calls.addAll(hookCalls(HookWeaver.hook(name, original)));
        }
        assertThat(calls).containsExactlyInAnyOrderElementsOf(HOOK_CALLS.get(jdk));
    }

    private static final String TPE_INIT = "ThreadPoolExecutor.<init>(IIJLjava/util/concurrent/TimeUnit;Ljava/util/concurrent/BlockingQueue;"
            + "Ljava/util/concurrent/ThreadFactory;Ljava/util/concurrent/RejectedExecutionHandler;)V -> executor";
    private static final String FJP_INIT = "ForkJoinPool.<init>(ILjava/util/concurrent/ForkJoinPool$ForkJoinWorkerThreadFactory;"
            + "Ljava/lang/Thread$UncaughtExceptionHandler;ZIIILjava/util/function/Predicate;JLjava/util/concurrent/TimeUnit;)V -> executor";
    /** By JDK feature release: the hook calls in its hooked classes. */
    private static final Map<Integer, List<String>> HOOK_CALLS = Map.of(
            17, List.of(
                    "Thread.start()V -> started",
                    TPE_INIT,
                    "ThreadPoolExecutor.execute(Ljava/lang/Runnable;)V -> submitted",
                    "ThreadPoolExecutor.runWorker(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V -> running",
                    "ThreadPoolExecutor.shutdown()V -> executor",
                    "ThreadPoolExecutor.shutdownNow()Ljava/util/List; -> executor",
                    "ThreadPoolExecutor$Worker.<init>(Ljava/util/concurrent/ThreadPoolExecutor;Ljava/lang/Runnable;)V -> worker",
                    "ScheduledThreadPoolExecutor.delayedExecute(Ljava/util/concurrent/RunnableScheduledFuture;)V -> submitted",
                    FJP_INIT,
                    "ForkJoinPool.<init>(B)V -> executor", // the common pool's
                    "ForkJoinPool.externalPush(Ljava/util/concurrent/ForkJoinTask;)V -> submitted",
                    "ForkJoinPool.shutdown()V -> executor",
                    "ForkJoinPool.shutdownNow()Ljava/util/List; -> executor",
                    "ForkJoinPool$WorkQueue.topLevelExec(Ljava/util/concurrent/ForkJoinTask;Ljava/util/concurrent/ForkJoinPool$WorkQueue;)V -> running"),
            25, List.of(
                    "Thread.start()V -> started",
                    "Thread.start(Ljdk/internal/vm/ThreadContainer;)V -> started",
                    "VirtualThread.start(Ljdk/internal/vm/ThreadContainer;)V -> started",
                    TPE_INIT,
                    "ThreadPoolExecutor.execute(Ljava/lang/Runnable;)V -> submitted",
                    "ThreadPoolExecutor.runWorker(Ljava/util/concurrent/ThreadPoolExecutor$Worker;)V -> running",
                    "ThreadPoolExecutor.shutdown()V -> executor",
                    "ThreadPoolExecutor.shutdownNow()Ljava/util/List; -> executor",
                    "ThreadPoolExecutor$Worker.<init>(Ljava/util/concurrent/ThreadPoolExecutor;Ljava/lang/Runnable;)V -> worker",
                    "ScheduledThreadPoolExecutor.delayedExecute(Ljava/util/concurrent/RunnableScheduledFuture;)V -> submitted",
                    FJP_INIT,
                    "ForkJoinPool.<init>(B)V -> executor",
                    "ForkJoinPool.poolSubmit(ZLjava/util/concurrent/ForkJoinTask;)Ljava/util/concurrent/ForkJoinTask; -> submitted",
                    "ForkJoinPool.shutdown()V -> executor",
                    "ForkJoinPool.shutdownNow()Ljava/util/List; -> executor",
                    "ForkJoinPool.close()V -> executor",
                    "ForkJoinPool$WorkQueue.topLevelExec(Ljava/util/concurrent/ForkJoinTask;I)V -> running",
                    "ThreadPerTaskExecutor.<init>(Ljava/util/concurrent/ThreadFactory;)V -> executor",
                    "ThreadPerTaskExecutor.shutdown()V -> executor",
                    "ThreadPerTaskExecutor.shutdownNow()Ljava/util/List; -> executor",
                    "ThreadPerTaskExecutor.close()V -> executor"));

    /** The calls to the hook class in a class file, as {@code Class.method(descriptor) -> hook}, one per call site. */
    private static List<String> hookCalls(byte[] classFile) {
        List<String> calls = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        String cls = simpleName(reader.getClassName());
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String desc, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String hook, String hookDesc, boolean itf) {
                        if (owner.equals(HookInstaller.HOOK)) calls.add(cls + "." + method + desc + " -> " + hook);
                    }
                };
            }
        }, 0);
        return calls;
    }

    private static String simpleName(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1);
    }
}
