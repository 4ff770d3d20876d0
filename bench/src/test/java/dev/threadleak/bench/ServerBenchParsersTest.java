package dev.threadleak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server benchmark reads from wrk and from the server's GC log (formats as wrk 4.1 and JDK 17/25 print them). */
class ServerBenchParsersTest {
    private static final String WRK = """
            Running 10s test @ http://127.0.0.1:18080/
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.52ms    2.10ms  48.31ms   92.15%
                Req/Sec    21.35k     1.20k   24.01k    71.00%
              Latency Distribution
                 50%  812.00us
                 75%    1.40ms
                 90%    3.21ms
                 99%   10.50ms
              424873 requests in 10.00s, 30.39MB read
              Socket errors: connect 0, read 3, write 1, timeout 2
              Non-2xx or 3xx responses: 5
            Requests/sec:  42480.12
            Transfer/sec:      3.04MB
            """;

    @Test
    void wrkReportGivesThroughputPercentilesAndErrors() {
        Wrk w = Wrk.parse(WRK);
        assertThat(w.requestsPerSecond()).isEqualTo(42480.12);
        assertThat(w.p50Ms()).isCloseTo(0.812, within(1e-9));
        assertThat(w.p99Ms()).isEqualTo(10.5);
        assertThat(w.requests()).isEqualTo(424873);
        assertThat(w.socketErrors()).isEqualTo(6);
        assertThat(w.non2xx()).isEqualTo(5);
    }

    @Test
    void percentilesInSecondsAndNoErrorLines() {
        String slow = WRK.replace("10.50ms", "1.20s").replaceAll("(?m)^\\s*(Socket errors|Non-2xx).*\\n", "");
        Wrk w = Wrk.parse(slow);
        assertThat(w.p99Ms()).isEqualTo(1200);
        assertThat(w.socketErrors()).isZero();
        assertThat(w.non2xx()).isZero();
    }

    @Test
    void wrkWithoutAResultOrWithoutRequestsIsAnError() {
        assertThatThrownBy(() -> Wrk.parse("unable to connect to 127.0.0.1:18080 Connection refused\n"))
                .hasMessageContaining("no result");
        assertThatThrownBy(() -> Wrk.parse(WRK.replace("424873 requests", "0 requests")))
                .hasMessageContaining("no request");
        assertThatThrownBy(() -> Wrk.parse(WRK.replaceAll("(?m)^\\s*99%.*\\n", ""))).hasMessageContaining("--latency");
    }

    @Test
    void gcPausesAreCountedOnlyWithinTheWindow(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, """
                [1000ms] Using G1
                [1500ms] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 25M->4M(512M) 9.000ms
                [2000ms] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 30M->6M(512M) 2.500ms
                [2100ms] GC(2) Pause Young (Concurrent Start) (G1 Humongous Allocation) 40M->12M(512M) 4.250ms
                [2100ms] GC(3) Concurrent Mark Cycle
                [2200ms] GC(3) Pause Remark 14M->14M(512M) 1.000ms
                [2300ms] GC(3) Pause Cleanup 14M->14M(512M) 0.125ms
                [2400ms] GC(3) Concurrent Mark Cycle 300.000ms
                [2500ms] GC(4) Pause Young (Normal) (G1 Evacuation Pause) 2048K->1024K(524288K) 1.000ms
                [3500ms] GC(5) Pause Young (Normal) (G1 Evacuation Pause) 30M->20M(512M) 50.000ms
                """);
        GcLog gc = GcLog.read(log, 2000, 3000);
        assertThat(gc.youngCount()).isEqualTo(3);
        assertThat(gc.youngMs()).isCloseTo(7.75, within(1e-9));
        assertThat(gc.youngMaxMs()).isEqualTo(4.25);
        assertThat(gc.otherPauseMs()).isCloseTo(1.125, within(1e-9));
        assertThat(gc.heapAfterMaxMb()).isEqualTo(12);
    }
}
