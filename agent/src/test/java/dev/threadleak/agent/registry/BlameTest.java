package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.RealStacks;
import dev.threadleak.agent.RealStacks.CapturingFactory;
import dev.threadleak.agent.RealStacks.Held;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

class BlameTest {
    private final Blame noApp = new Blame(List.of());

    /** A pool worker's creation path on the running JDK (from below its thread factory), started from this class. */
    private static List<StackTraceElement> poolWorkerCreation() {
        CapturingFactory workers = new CapturingFactory();
        ExecutorService pool = Executors.newFixedThreadPool(1, workers);
        pool.execute(() -> { });
        pool.shutdown();
        return workers.firstCreation();
    }

    @Test
    void jdkFramesAreSkipped() {
        List<StackTraceElement> creation = poolWorkerCreation(); // ThreadPoolExecutor's frames, then poolWorkerCreation
        assertThat(creation.get(0).getClassName()).startsWith("java.util.concurrent.ThreadPoolExecutor");
        assertThat(creation.get(noApp.index(creation)).getMethodName()).isEqualTo("poolWorkerCreation");
    }

    @Test
    void theWaitFrameOfARealWaitIsTheApplicationsLine() throws Exception {
        try (Held consumer = RealStacks.start("consumer", BlameTest::consume)) {
            StackTraceElement[] stack = consumer.stack();
            assertThat(stack[0].getClassName()).as("the JDK's parking frames first").startsWith("jdk.internal.misc.");
            assertThat(stack[noApp.applicationFrame(consumer.classNames())].getMethodName()).isEqualTo("consume");
        }
    }

    private static void consume() throws InterruptedException {
        new LinkedBlockingQueue<>().take();
    }

    @Test
    void threadMakingLibrariesAreSkipped() {
        List<StackTraceElement> stack = stack("java.lang.Thread.<init>", "io.netty.util.concurrent.DefaultThreadFactory.newThread",
                "org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor.execute", "com.google.common.util.concurrent.MoreExecutors.go",
                "com.acme.Service.handle");
        assertThat(noApp.index(stack)).isEqualTo(4);
        assertThat(noApp.index(stack("sun.nio.ch.Foo.start", "javax.swing.Timer.start", "com.sun.Foo.go", "jdk.internal.Bar.go", "org.acme.X.y")))
                .isEqualTo(4);
    }

    @Test
    void anUnknownLibraryIsBlamedUnlessAppPackagesSayOtherwise() {
        List<StackTraceElement> stack = stack("java.lang.Thread.start", "org.lib.Spawner.spawn", "com.acme.Service.handle");
        assertThat(noApp.index(stack)).isEqualTo(1);
        assertThat(new Blame(List.of("com.acme")).index(stack)).isEqualTo(2);
        assertThat(new Blame(List.of("org.example", "com.acme")).index(stack)).isEqualTo(2);
    }

    @Test
    void theApplicationsOwnCodeIsPreferredToAnUnknownLibraryButAppPackagesWin() {
        Blame inferred = new Blame(List.of(), cls -> cls.startsWith("com.acme."));
        List<StackTraceElement> stack = stack("java.lang.Thread.start", "org.lib.Spawner.spawn", "com.acme.Service.handle", "com.acme.Main.main");
        assertThat(inferred.index(stack)).isEqualTo(2);
        assertThat(new Blame(List.of("org.lib"), cls -> cls.startsWith("com.acme.")).index(stack)).isEqualTo(1);
        assertThat(inferred.index(stack("java.lang.Thread.start", "org.lib.Spawner.spawn", "org.other.Caller.call")))
                .as("no own code: the first frame outside the libraries").isEqualTo(1);
        assertThat(inferred.applicationFrame(List.of("jdk.internal.misc.Unsafe", "org.lib.Pool", "com.acme.Worker"))).isEqualTo(2);
    }

    @Test
    void aWholeLibraryIsSkippedEvenWhereItsOwnCodeStartsTheThread() {
        Blame inferred = new Blame(List.of(), cls -> cls.startsWith("com.acme."));
        // a thread-making library listed whole is skipped even when the application's code is not recognised
        assertThat(noApp.index(stack("java.lang.Thread.start", "io.netty.util.concurrent.SingleThreadEventExecutor.startThread",
                "io.netty.channel.AbstractChannel$AbstractUnsafe.register", "io.netty.bootstrap.Bootstrap.connect", "com.acme.Client.call")))
                .isEqualTo(4);
        // below a library listed whole, the application's own frame
        assertThat(inferred.index(stack("java.lang.Thread.start", "okhttp3.internal.connection.RealConnectionPool.put", "com.acme.Client.call")))
                .isEqualTo(2);
    }

    @Test
    void ownCodeIsWhatTheClassPathHoldsInADirectory() {
        // in this test JVM, this test class comes from target/test-classes (a directory); JUnit and AssertJ from jars
        OwnCode own = OwnCode.ofThisJvm();
        assertThat(own.test(BlameTest.class.getName())).isTrue();
        assertThat(own.test(Test.class.getName())).as("JUnit's jar").isFalse();
        assertThat(own.test("com.acme.NoSuchClass")).isFalse();
        assertThat(own.test(String.class.getName())).as("the JDK").isFalse();
    }

    @Test
    void anAppPackageMatchesWholeNamesOnly() {
        List<StackTraceElement> stack = stack("org.lib.Spawner.spawn", "com.acmex.Other.call", "com.acme.Service.handle");
        assertThat(new Blame(List.of("com.acme")).index(stack)).isEqualTo(2);
        assertThat(new Blame(List.of("com.acm")).index(stack)).as("no frame in com.acm").isEqualTo(0);
    }

    @Test
    void onlyJdkOrLibraryCodeHasNoBlame() {
        CapturingFactory workers = new CapturingFactory();
        ForkJoinPool pool = new ForkJoinPool(1, workers, null, false);
        pool.execute(() -> { });
        pool.shutdown();
        List<StackTraceElement> creation = workers.firstCreation();
        int caller = 0;
        while (!creation.get(caller).getClassName().equals(BlameTest.class.getName())) caller++;
        assertThat(creation.subList(0, caller)).as("ForkJoinPool's own frames of a worker's start").isNotEmpty();
        assertThat(noApp.index(creation.subList(0, caller))).isEqualTo(-1);
        assertThat(noApp.index(List.of())).isEqualTo(-1);
    }

    @Test
    void threadsTheJdkStartsForItselfHaveNoBlame() {
        // a virtual thread's carrier: started by VirtualThread while the app started a virtual thread
        assertThat(noApp.index(stack("java.util.concurrent.ForkJoinPool.createWorker", "java.util.concurrent.ForkJoinPool.execute",
                "java.lang.VirtualThread.submitRunContinuation", "java.lang.VirtualThread.start", "com.acme.Main.main"))).isEqualTo(-1);
        // a JDK class initializer starting its own daemon (Common-Cleaner and friends)
        assertThat(noApp.index(stack("java.lang.Thread.start", "jdk.internal.ref.CleanerImpl.start", "java.lang.ref.Cleaner.<clinit>",
                "com.acme.Main.main"))).isEqualTo(-1);
        assertThat(new Blame(List.of("com.acme")).index(stack("java.lang.VirtualThread.start", "com.acme.Main.main"))).isEqualTo(-1);
    }

    /** An application's static pool: its class initializer starts a worker. */
    static final class StaticPool {
        static final CapturingFactory WORKERS = new CapturingFactory();

        static {
            ExecutorService pool = Executors.newFixedThreadPool(1, WORKERS);
            pool.execute(() -> { });
            pool.shutdown();
        }
    }

    @Test
    void theAppsOwnClassInitializerIsToBlame() {
        List<StackTraceElement> creation = StaticPool.WORKERS.firstCreation(); // ThreadPoolExecutor's frames, then <clinit>
        StackTraceElement blamed = creation.get(noApp.index(creation));
        assertThat(blamed.getClassName() + "." + blamed.getMethodName()).isEqualTo(StaticPool.class.getName() + ".<clinit>");
    }

    private static List<StackTraceElement> stack(String... classDotMethods) {
        List<StackTraceElement> out = new ArrayList<>();
        for (String cm : classDotMethods) {
            int dot = cm.lastIndexOf('.');
            out.add(new StackTraceElement(cm.substring(0, dot), cm.substring(dot + 1), "X.java", 1));
        }
        return out;
    }
}
