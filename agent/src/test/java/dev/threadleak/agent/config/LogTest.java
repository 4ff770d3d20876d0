package dev.threadleak.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogTest {
    private final List<String> lines = new ArrayList<>();
    private final Log log = new Log(lines::add);

    @Test
    void aProblemIsSaidOnceUntilItIsOverThenAgain() {
        log.warnOnce("dump", "cannot write periodic dump");
        log.warnOnce("dump", "cannot write periodic dump");
        log.warnOnce("loop", "agent loop failed");
        log.clear("dump");
        log.warnOnce("dump", "cannot write periodic dump again");
        assertThat(lines).containsExactly("[threadleak] cannot write periodic dump", "[threadleak] agent loop failed",
                "[threadleak] cannot write periodic dump again");
    }

    @Test
    void whatOneLogHasSaidIsItsOwn() {
        List<String> other = new ArrayList<>();
        log.warnOnce("init", "agent failed to start");
        new Log(other::add).warnOnce("init", "agent failed to start");
        assertThat(lines).hasSize(1);
        assertThat(other).containsExactly("[threadleak] agent failed to start");
    }

    @Test
    void debugLinesAreSaidOnlyUnderLogDebugEachOnce() {
        log.debug("hooks", "cannot read the hooked classes");
        log.debugging(true);
        log.debug("hooks", "cannot read the hooked classes");
        log.debug("hooks", "cannot read the hooked classes");
        log.debug("keys", "cannot read FutureTask.callable");
        assertThat(lines).containsExactly("[threadleak] debug: cannot read the hooked classes", "[threadleak] debug: cannot read FutureTask.callable");
    }

    @Test
    void warnAlwaysSpeaks() {
        log.warn("x");
        log.warn("x");
        assertThat(lines).containsExactly("[threadleak] x", "[threadleak] x");
    }
}
