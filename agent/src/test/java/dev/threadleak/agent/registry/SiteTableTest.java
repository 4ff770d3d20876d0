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

    @Test
    void identicalStacksAreInternedOnceAndCounted() {
        SiteTable table = new SiteTable(32, new Blame(List.of()));
        Site a = table.intern(creation(HOOK, START, HANDLE, MAIN));
        Site b = table.intern(creation(HOOK, START, HANDLE, MAIN));
        Site other = table.intern(creation(HOOK, START, frame("com.acme.Service", "handle", 43), MAIN));
        table.intern(creation(HOOK, START, HANDLE, MAIN));

        assertThat(b).isSameAs(a);
        assertThat(a.id()).isZero();
        assertThat(other.id()).isEqualTo(1);
        assertThat(a.started()).isEqualTo(3);
        assertThat(other.started()).isEqualTo(1);
        assertThat(a.stack()).containsExactly(HANDLE, MAIN);
        assertThat(a.blame()).isZero();
        assertThat(a.truncated()).isFalse();
        assertThat(table.all()).containsExactly(a, other);
    }

    @Test
    void depthCutsTheStackAfterTheStartFrames() {
        SiteTable table = new SiteTable(1, new Blame(List.of()));
        Site s = table.intern(creation(HOOK, START, HANDLE, MAIN));
        assertThat(s.stack()).containsExactly(HANDLE);
        assertThat(s.truncated()).isTrue();
        Site whole = new SiteTable(2, new Blame(List.of())).intern(creation(HOOK, START, HANDLE, MAIN));
        assertThat(whole.stack()).containsExactly(HANDLE, MAIN);
        assertThat(whole.truncated()).isFalse();
    }

    private static Throwable creation(StackTraceElement... frames) {
        Throwable t = new Throwable();
        t.setStackTrace(frames);
        return t;
    }

    private static StackTraceElement frame(String cls, String method, int line) {
        return new StackTraceElement(cls, method, cls.substring(cls.lastIndexOf('.') + 1).replaceAll("\\$.*", "") + ".java", line);
    }
}
