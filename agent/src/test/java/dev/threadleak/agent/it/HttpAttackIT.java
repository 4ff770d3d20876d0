package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.it.HttpAttack.Answer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The endpoint serves a normal scraper while other clients misbehave (issue 23, item 2): 50 slowloris connections (a
 * byte a second, never finished, opened again when closed) and a crowd of 2,000 clients that send {@code GET /metrics}
 * at once, and each again a second after its answer, while one scraper sends {@code GET /metrics} every 50 ms for 5 s.
 * With the JDK's HttpServer (two workers, an unbounded queue) a scrape took 18 to 49 s under less (bench/RESULTS.md N);
 * here every one is answered 200, 99 % within a second.
 * <p>
 * Not a flood at the attacker's top speed: with the attacker in this JVM, on the same two cores, the scraper waits behind
 * some 2,000 connections in the kernel's listen queue, for as long as the CPU left to the server takes to answer them
 * (0.4 to 0.8 s on an otherwise idle machine, over a second while another build ran): that is measured by
 * {@code scripts/bench attack} (RESULTS N), not asserted here. The listen queue must hold the crowd:
 * {@code net.core.somaxconn} above 2,050 (4096, Linux's default since 5.4; a connection refused at a full queue is retried
 * a second later).
 */
class HttpAttackIT {
    static final int SLOWLORIS = 50, CROWD = 2_000;
    static final Duration EVERY = Duration.ofMillis(50), FOR = Duration.ofSeconds(5), CROWD_PAUSE = Duration.ofSeconds(1);
    private static final String RUN_UNTIL = "dev.threadleak.agent.it.apps.RunUntil";

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aScrapeIsAnsweredWithinASecondWhileSlowClientsAndACrowdHitTheEndpoint(Jdk jdk, @TempDir Path dir) throws Exception {
        int port = HttpIT.freePort();
        Attacked run = attack(jdk, dir, "http=" + port, port, null);
        assertThat(run.crowd().getOrDefault("200", 0)).as("the crowd is served too: %s", run.crowd()).isGreaterThan(2 * CROWD);
        assertThat(run.slowOpened()).as("slow connections are closed (2 s after connect, or sooner for a newcomer) and opened again")
                .isGreaterThanOrEqualTo(2 * SLOWLORIS);
        assertThat(run.stderr()).isEmpty();
    }

    /**
     * With a token, on 0.0.0.0: slow clients and a crowd without the token are refused by the server's selector thread
     * (401 as soon as their headers are in, no worker, no page), and the scraper, which has the token, is not delayed by them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void unauthenticatedSlowClientsAndACrowdDoNotDelayAnAuthenticatedScrape(Jdk jdk, @TempDir Path dir) throws Exception {
        int port = HttpIT.freePort();
        String token = "s3cret-" + port;
        Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
        Attacked run = attack(jdk, dir, "http=0.0.0.0:" + port + ",token=" + tokenFile, port, token);
        assertThat(run.crowd().getOrDefault("401", 0)).as("the crowd, without the token: %s", run.crowd()).isGreaterThan(2 * CROWD);
        assertThat(run.crowd()).as("nothing is served without the token").doesNotContainKey("200");
        assertThat(run.stderr()).as("only the warning said at start").isEqualTo("[threadleak] HTTP endpoint on 0.0.0.0:" + port
                + " is reachable beyond this host: whoever reaches it reads thread names and stacks (with the token)\n");
    }

    /** What the clients got, and what the application wrote on stderr. */
    private record Attacked(Map<String, Integer> crowd, int slowOpened, String stderr) {}

    /**
     * Runs an application under the agent with {@code options}, attacks its endpoint while the scraper scrapes, checks the
     * scraper's answers (200, p99 under a second), then ends the application, which must end as it does untouched.
     */
    private static Attacked attack(Jdk jdk, Path dir, String options, int port, String token) throws Exception {
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim()); // not readString: that reads "4"
        assertThat(somaxconn).as("net.core.somaxconn: the listen queue must hold the crowd (sysctl -w net.core.somaxconn=4096)")
                .isGreaterThan(CROWD + SLOWLORIS);
        Path stop = dir.resolve("stop");
        // dir: the application ends normally, and its exit dump stays in the test's directory
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent("interval=0,dir=" + dir.resolve("dumps") + "," + options), "-cp", ChildJvm.TEST_CP),
                RUN_UNTIL, stop.toString(), "60")) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            ChildJvm.await("the endpoint's first sample", Duration.ofSeconds(30), () -> HttpAttack.scrape(address, token).status().equals("200"));
            List<Answer> scrapes;
            Map<String, Integer> crowd;
            int slowOpened;
            try (HttpAttack.Slowloris slow = new HttpAttack.Slowloris(address, SLOWLORIS); HttpAttack.Flood flood = new HttpAttack.Flood(address, CROWD, CROWD_PAUSE)) {
                scrapes = HttpAttack.scrapeEvery(EVERY, FOR, address, token);
                crowd = flood.stop();
                slowOpened = slow.opened();
            }
            assertThat(scrapes).as("the scraper's answers").isNotEmpty().allMatch(a -> a.status().equals("200"));
            assertThat(HttpAttack.quantile(scrapes, 0.99)).as("p99 of the scraper's %d GETs, ms: %s", scrapes.size(), scrapes).isLessThan(1000);

            Files.createFile(stop);
            assertThat(child.waitFor()).as("the application ends as it does without the agent").isZero();
            assertThat(child.stdout()).as("the application's own output, and nothing else").isEqualTo("running\nstopped\n");
            return new Attacked(crowd, slowOpened, child.stderr());
        }
    }
}
