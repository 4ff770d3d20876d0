package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlameTest {
    private final Blame noApp = new Blame(List.of());

    @Test
    void jdkFramesAreSkipped() {
        List<StackTraceElement> stack = stack("java.util.concurrent.ThreadPoolExecutor.addWorker", "java.util.concurrent.ThreadPoolExecutor.execute",
                "com.acme.Service.handle", "com.acme.Main.main");
        assertThat(noApp.index(stack)).isEqualTo(2);
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
        assertThat(noApp.index(stack("java.util.concurrent.ForkJoinPool.signalWork", "java.util.concurrent.ForkJoinPool.execute"))).isEqualTo(-1);
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

    @Test
    void theAppsOwnClassInitializerIsToBlame() {
        assertThat(noApp.index(stack("java.lang.Thread.start", "com.acme.Pool.<clinit>", "com.acme.Main.main"))).isEqualTo(1);
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
