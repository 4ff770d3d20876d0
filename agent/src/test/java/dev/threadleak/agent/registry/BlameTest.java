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
