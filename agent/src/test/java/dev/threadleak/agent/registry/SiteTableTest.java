package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SiteTableTest {
    private static final StackTraceElement HOOK = frame("java.lang.ThreadLeakHook$$threadleak", "started", 10);
    private static final StackTraceElement START = frame("java.lang.Thread", "start", 1000);
    private static final StackTraceElement START_IN = frame("java.lang.Thread", "start", 1010);
    private static final StackTraceElement VSTART = frame("java.lang.VirtualThread", "start", 300);
    private static final StackTraceElement HANDLE = frame("com.acme.Service", "handle", 42);
    private static final StackTraceElement MAIN = frame("com.acme.Main", "main", 7);

    @Test
    void callerOfStartCutsTheHookAndTheStartFrames() {
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START, HANDLE, MAIN})).isEqualTo(2);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START_IN, frame("java.lang.System$2", "start", 5), START, HANDLE}))
                .as("only the innermost run of start frames").isEqualTo(2);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, VSTART, START, HANDLE})).isEqualTo(3);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HANDLE, MAIN})).as("no start frame: keep all").isEqualTo(0);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START})).isEqualTo(2);
    }

    /** Thread subclasses, one overriding start and one overriding that. */
    static class Worker extends Thread {
        @Override
        public void start() {
            super.start();
        }
    }

    static class SpecialWorker extends Worker {
        @Override
        public void start() {
            super.start();
        }
    }

    @Test
    void startOverridesOfTheThreadsOwnClassesAreCutButOtherStartFramesStay() {
        StackTraceElement worker = frame(Worker.class.getName(), "start", 70);
        StackTraceElement special = frame(SpecialWorker.class.getName(), "start", 77);
        StackTraceElement server = frame("com.acme.Server", "start", 12);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START, worker, HANDLE, MAIN}, Worker.class, "start")).isEqualTo(3);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START, worker, special, HANDLE}, SpecialWorker.class, "start")).isEqualTo(4);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START, worker, HANDLE}, Thread.class, "start"))
                .as("a Worker.start that starts some other, plain thread is its creation site").isEqualTo(2);
        assertThat(SiteTable.callerOfStart(new StackTraceElement[] {HOOK, START, server, MAIN}, Thread.class, "start"))
                .as("Server.start() calling new Thread(..).start()").isEqualTo(2);
        CreationStack captured = new CreationStack(Worker.class); // what Registry.accept captures
        captured.setStackTrace(new StackTraceElement[] {HOOK, START, worker, HANDLE, MAIN});
        SiteRecord site = new SiteTable(32, new Blame(List.of())).intern(captured);
        assertThat(site.stack()).containsExactly(HANDLE, MAIN);
        assertThat(site.blame()).isZero();
    }

    /** Real captures, as the hook makes them (the table keys on the raw backtrace, so stacks set by hand would not do). */
    private static Throwable inHandle() {
        return new Throwable();
    }

    private static Throwable inOther() {
        return new Throwable();
    }

    @Test
    void identicalStacksAreInternedOnceAndCounted() {
        SiteTable table = new SiteTable(1_000, new Blame(List.of())); // deep enough for JUnit's frames
        List<SiteRecord> handled = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) handled.add(table.intern(inHandle())); // one line: equal backtraces
        SiteRecord other = table.intern(inOther());
        handled.add(table.intern(inHandle())); // another line of this test: another stack
        SiteRecord a = handled.get(0);

        assertThat(handled.get(1)).isSameAs(a);
        assertThat(a.id()).isZero();
        assertThat(other.id()).isEqualTo(1);
        assertThat(other).isNotSameAs(a);
        assertThat(a.stack().get(0).getMethodName()).isEqualTo("inHandle");
        assertThat(other.stack().get(0).getMethodName()).isEqualTo("inOther");
        assertThat(a.blame()).as("the first frame outside the JDK: the capture's own").isZero();
        assertThat(a.truncated()).isFalse();
        assertThat(handled.get(2)).as("called from another line: another stack").isNotSameAs(a);
        assertThat(a.started()).isEqualTo(2);
        assertThat(other.started()).isEqualTo(1);
        assertThat(table.all()).containsExactly(a, other, handled.get(2));
        assertThat(table.totalStarted()).isEqualTo(4);
    }

    @Test
    void depthKeepsThatManyFramesOfTheCreationStack() {
        SiteRecord s = new SiteTable(1, new Blame(List.of())).intern(inHandle());
        assertThat(s.stack()).extracting(StackTraceElement::getMethodName).containsExactly("inHandle");
        assertThat(s.truncated()).isTrue();
        SiteRecord whole = new SiteTable(1_000, new Blame(List.of())).intern(inHandle());
        assertThat(whole.stack().get(1).getMethodName()).isEqualTo("depthKeepsThatManyFramesOfTheCreationStack");
        assertThat(whole.truncated()).isFalse();
    }

    private static StackTraceElement frame(String cls, String method, int line) {
        return new StackTraceElement(cls, method, cls.substring(cls.lastIndexOf('.') + 1).replaceAll("\\$.*", "") + ".java", line);
    }

    @Test
    void pastItsBoundTheTableFoldsTheLeastRecentlyStartedSitesWithoutLiveThreads() {
        SiteTable table = new SiteTable(32, new Blame(List.of()), 100);
        // paths 0..999, then 999 again (recent), then 1 again (folded by then); path 0 has a live thread
        SiteRecord[] sites = new SiteRecord[1_002];
        for (int i = 0; i < sites.length; i++) {
            sites[i] = table.intern(distinctStack(i < 1_000 ? i : i == 1_000 ? 999 : 1)); // one line: only the path differs
            if (i == 0) sites[0].live = 1;
        }
        SiteRecord first = sites[0], recent = sites[1_000], again = sites[1_001];

        List<SiteRecord> kept = table.all();
        assertThat(kept).hasSizeLessThanOrEqualTo(100).contains(first, recent, again);
        assertThat(recent).isSameAs(sites[999]);
        assertThat(recent.started()).isEqualTo(2);
        assertThat(again).as("a folded stack comes back as a new site").isNotSameAs(sites[1]);
        assertThat(again.id()).isGreaterThan(recent.id());
        assertThat(again.started()).isEqualTo(1);
        assertThat(table.folded()).isEqualTo(1_001 - kept.size());
        assertThat(table.totalStarted()).isEqualTo(1_002);
    }

    /** A real capture from one of 1,024 distinct call paths (10 levels of left or right). */
    private static Throwable distinctStack(int path) {
        return descend(path, 10);
    }

    private static Throwable descend(int path, int level) {
        if (level == 0) return new Throwable();
        return (path >> (level - 1) & 1) == 0 ? left(path, level - 1) : right(path, level - 1);
    }

    private static Throwable left(int path, int level) {
        return descend(path, level);
    }

    private static Throwable right(int path, int level) {
        return descend(path, level);
    }
}
