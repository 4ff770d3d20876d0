package dev.threadleak.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Needs java.lang opened to the test (surefire's argLine), as the agent opens it for itself. */
class BacktraceTest {
    private static Throwable here() {
        return new Throwable();
    }

    private static Throwable elsewhere() {
        return new Throwable();
    }

    @Test
    void equalRawStacksAreEqualKeysWithoutDecodingAndOthersAreNot() {
        List<Throwable> same = new ArrayList<>();
        for (int i = 0; i < 3; i++) same.add(here()); // one call site, three captures
        Backtrace a = Backtrace.of(same.get(0)), b = Backtrace.of(same.get(1));
        assertThat(a).as("backtrace readable on this JDK").isNotNull();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.retained()).isEqualTo(Backtrace.of(same.get(2)));
        assertThat(Backtrace.of(same.get(2))).isEqualTo(a.retained());
        assertThat(Backtrace.of(elsewhere())).isNotEqualTo(a);
    }

    @Test
    void internUsesTheCacheAndGivesTheSameSiteAsDecoding() {
        SiteTable cached = new SiteTable(32, new Blame(List.of()));
        SiteRecord first = null;
        for (int i = 0; i < 5; i++) {
            SiteRecord s = cached.intern(here());
            if (first == null) first = s;
            assertThat(s).isSameAs(first);
        }
        assertThat(first.started()).isEqualTo(5);
        SiteRecord other = cached.intern(elsewhere());
        assertThat(other).isNotSameAs(first);
        assertThat(cached.all()).hasSize(2);
    }

    /**
     * A capture from a known backtrace is not decoded: its site comes from the cache. Told apart by a throwable
     * whose raw backtrace is that of {@link #here} while getStackTrace() (set afterwards) says elsewhere: only a
     * table that looked the backtrace up gives it here()'s site.
     */
    @Test
    void aKnownBacktraceIsNotDecodedAgain() {
        SiteTable table = new SiteTable(32, new Blame(List.of()));
        List<Throwable> captures = new ArrayList<>();
        for (int i = 0; i < 2; i++) captures.add(here()); // one call site: equal backtraces
        SiteRecord first = table.intern(captures.get(0));
        Throwable relabelled = captures.get(1);
        relabelled.setStackTrace(new StackTraceElement[] {new StackTraceElement("com.acme.Elsewhere", "run", "Elsewhere.java", 9)});
        assertThat(table.intern(relabelled)).as("found by its backtrace, not decoded").isSameAs(first);
        assertThat(first.started()).isEqualTo(2);
        assertThat(table.all()).hasSize(1);
    }
}
