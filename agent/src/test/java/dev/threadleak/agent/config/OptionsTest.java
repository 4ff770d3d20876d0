package dev.threadleak.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionsTest {
    private static final String KNOWN = "(known: dir, interval, keep, depth, app, sample, blocked, window, growth, duplicates, sites, starts, submissions, threads, http, token, secrets, health.live, health.delta, health.longBlocked, log)";

    @Test
    void defaults() {
        Options o = Options.defaults();
        assertThat(o.dir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "threadleak-" + System.getProperty("user.name")).toAbsolutePath());
        assertThat(o.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(o.keep()).isEqualTo(20);
        assertThat(o.depth()).isEqualTo(32);
        assertThat(o.app()).isEmpty();
        assertThat(o.periodicDumps()).isTrue();
        assertThat(Options.parse("")).isEqualTo(o);
        assertThat(Options.parse("  ")).isEqualTo(o);
    }

    @Test
    void everyKey() {
        Options o = Options.parse("dir=/var/tmp/tl,interval=500ms,keep=7,depth=5,app=com.acme");
        assertThat(o).isEqualTo(new Options(Path.of("/var/tmp/tl"), Duration.ofMillis(500), 7, 5, List.of("com.acme"),
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(1), 100, 20, 10_000, 64, 256, 10_000, null, null, true, HealthLimits.OFF, false));
        Options more = Options.parse("sample=200ms,blocked=2s,window=30s,growth=7,duplicates=3");
        assertThat(more.sample()).isEqualTo(Duration.ofMillis(200));
        assertThat(more.blocked()).isEqualTo(Duration.ofSeconds(2));
        assertThat(more.window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(more.growth()).isEqualTo(7);
        assertThat(more.duplicates()).isEqualTo(3);
        assertThat(Options.parse("sites=100").sites()).isEqualTo(100);
        assertThat(Options.parse("starts=all").starts()).isEqualTo(1);
        assertThat(Options.parse("starts=off").starts()).isZero();
        assertThat(Options.parse("starts=1000").starts()).isEqualTo(1000);
        assertThat(Options.parse("sample=0").sampling()).isFalse();
        assertThat(Options.parse("dir=rel").dir()).isEqualTo(Path.of("rel").toAbsolutePath());
        assertThat(Options.parse("keep=1,depth=1").keep()).isEqualTo(1);
        assertThat(Options.parse("keep=100000,depth=1024").depth()).isEqualTo(1024);
    }

    @Test
    void logSaysWarningsUnlessDebugIsAsked() {
        assertThat(Options.defaults().debug()).isFalse();
        assertThat(Options.parse("log=warn").debug()).isFalse();
        assertThat(Options.parse("log=debug").debug()).isTrue();
        assertBad("log=info", "bad value for log: 'info' (expected warn or debug)");
    }

    @Test
    void secretsAreMaskedUnlessShowIsAsked() {
        assertThat(Options.defaults().maskSecrets()).isTrue();
        assertThat(Options.parse("secrets=mask").maskSecrets()).isTrue();
        assertThat(Options.parse("secrets=show").maskSecrets()).isFalse();
        assertBad("secrets=off", "bad value for secrets: 'off' (expected mask or show)");
    }

    @Test
    void spacesAroundCommasAndEqualsSignsAreNotPartOfKeysOrValues() {
        Options o = Options.parse("dir=/tmp/d, interval = 5s ,keep =3");
        assertThat(o.dir()).isEqualTo(Path.of("/tmp/d"));
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.keep()).isEqualTo(3);
    }

    @Test
    void durations() {
        assertThat(Options.parse("interval=100ms").interval()).isEqualTo(Duration.ofMillis(100));
        assertThat(Options.parse("interval=30s").interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(Options.parse("interval=5m").interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(Options.parse("interval=1h").interval()).isEqualTo(Duration.ofHours(1));
        Options off = Options.parse("interval=0");
        assertThat(off.interval()).isZero();
        assertThat(off.periodicDumps()).isFalse();
    }

    @Test
    void aListValueNeedsNoQuotingBeforeTheNextKey() {
        Options o = Options.parse("app=com.acme,org.example,interval=30s");
        assertThat(o.app()).containsExactly("com.acme", "org.example");
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(Options.parse("interval=30s,app=com.acme, org.example ").app()).containsExactly("com.acme", "org.example");
    }

    @Test
    void errorMessages() {
        assertBad("intervl=30s", "unknown option 'intervl' " + KNOWN);
        assertBad("dir", "option 'dir' has no '=' (expected key=value; known: dir, interval, keep, depth, app, sample, blocked, window, growth, duplicates, sites, starts, submissions, threads, http, token, secrets, health.live, health.delta, health.longBlocked, log)");
        assertBad("keep=1,keep=2", "option 'keep' given twice");
        assertBad("starts=0", "bad value for starts: '0' (expected all, off, or capture one in N from 1 to 1000000)");
        assertBad("dir=", "bad value for dir: empty (expected a directory path)");
        assertBad("dir=a\u0000b", "bad value for dir: 'a\\u0000b' (Nul character not allowed: a\\u0000b)");
        assertBad("interval=30", "bad value for interval: '30' (expected a duration like 500ms, 30s, 5m, 1h, or 0 for off)");
        assertBad("interval=-1s", "bad value for interval: '-1s' (expected a duration like 500ms, 30s, 5m, 1h, or 0 for off)");
        assertBad("interval=1d", "bad value for interval: '1d' (expected a duration like 500ms, 30s, 5m, 1h, or 0 for off)");
        assertBad("interval=99ms", "bad value for interval: '99ms' (at least 100ms, or 0 for off)");
        assertBad("keep=0", "bad value for keep: '0' (expected a whole number from 1 to 100000)");
        assertBad("keep=100001", "bad value for keep: '100001' (expected a whole number from 1 to 100000)");
        assertBad("depth=abc", "bad value for depth: 'abc' (expected a whole number from 1 to 1024)");
        assertBad("depth=1025", "bad value for depth: '1025' (expected a whole number from 1 to 1024)");
        assertBad("app=com..acme", "bad value for app: 'com..acme' is not a package name (expected e.g. app=com.acme,org.example)");
        assertBad("app=com.acme,9lives", "bad value for app: '9lives' is not a package name (expected e.g. app=com.acme,org.example)");
    }

    /** A duration whose nanoseconds overflow a long passes today and then kills the agent's thread (see OptionsIT). */
    @Test
    void anIntervalTooLongToCountIsRefused() {
        assertThatThrownBy(() -> Options.parse("interval=999999999h")).isInstanceOf(Options.BadOption.class)
                .hasMessageStartingWith("bad value for interval: '999999999h'");
    }

    private static void assertBad(String text, String message) {
        assertThatThrownBy(() -> Options.parse(text)).as(text).isInstanceOf(Options.BadOption.class).hasMessage(message);
    }

    @Test
    void aBadOptionIsOneLineWhateverItHolds() {
        assertThatThrownBy(() -> Options.parse("dir\nrel=1")).isInstanceOf(Options.BadOption.class)
                .hasMessageStartingWith("unknown option 'dir\\nrel' (known: ");
        assertThatThrownBy(() -> Options.parse("keep=1\u0000x")).hasMessageStartingWith("bad value for keep: '1\\u0000x' (expected");
    }

    @Test
    void forTargetMakesAGivenDirAbsoluteAndLeavesAMissingOneToTheTarget() {
        String cwd = Path.of("").toAbsolutePath().toString();
        assertThat(Options.forTarget("dir=rel, interval=30s")).isEqualTo("dir=" + cwd + "/rel,interval=30s");
        assertThat(Options.forTarget("interval=30s,app=com.acme,org.example")).isEqualTo("interval=30s,app=com.acme,org.example");
        assertThat(Options.forTarget("")).isEmpty();
        assertThatThrownBy(() -> Options.forTarget("dir=/tmp/a,b,keep=3,keep=4")).isInstanceOf(Options.BadOption.class);
    }

    @Test
    void httpListensOnLoopbackUnlessAnAddressIsGiven(@TempDir Path tmp) throws Exception {
        assertThat(Options.defaults().http()).isNull();
        assertThat(Options.parse("http=9464").http()).isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 9464));
        assertThat(Options.parse("http=0.0.0.0:9464").http().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(Options.parse("http=[::1]:9464").http().getAddress().isLoopbackAddress()).isTrue();
        assertThat(Options.parse("http=localhost:80").http().getPort()).isEqualTo(80);
        Path token = Files.writeString(tmp.resolve("token"), "s3cret\n");
        assertThat(Options.parse("http=9464,token=" + token).token()).isEqualTo(token);
        assertThat(Options.readToken(token)).isEqualTo("s3cret");
    }

    @Test
    void badHttpAndTokenValuesAreOneLine(@TempDir Path tmp) throws Exception {
        String expected = " (expected a port like 9464, which listens on 127.0.0.1 only, or <ip>:<port> like 0.0.0.0:9464 or [::1]:9464)";
        assertBad("http=abc", "bad value for http: 'abc'" + expected);
        assertBad("http=", "bad value for http: ''" + expected);
        assertBad("http=70000", "bad value for http: '70000' (port 70000 is not from 0, a free port, to 65535)");
        assertBad("http=-1", "bad value for http: '-1' (port -1 is not from 0, a free port, to 65535)");
        assertThat(Options.parse("http=127.0.0.1:0").http().getPort()).as("0: the system picks a free port").isZero();
        assertBad("http=example.com:80", "bad value for http: 'example.com:80' (the address must be an IP address or localhost)");
        assertBad("http=::1:9464", "bad value for http: '::1:9464' (write an IPv6 address in brackets: [::1]:9464)");
        assertBad("http=[zz:zz]:80", "bad value for http: '[zz:zz]:80' (zz:zz is not an IP address)");
        assertBad("http=999.1.1.1:80", "bad value for http: '999.1.1.1:80' (the address must be an IP address or localhost)");
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertBad("token=" + empty, "option 'token' needs 'http' (the token guards the HTTP endpoint)");
        assertBad("http=9464,token=" + empty, "bad value for token: '" + empty + "' is empty (expected a file holding the token)");
        assertThatThrownBy(() -> Options.parse("http=9464,token=" + tmp.resolve("missing"))).isInstanceOf(Options.BadOption.class)
                .hasMessageStartingWith("bad value for token: cannot read '" + tmp.resolve("missing") + "' (java.nio.file.NoSuchFileException");
    }

    /**
     * Only a regular file of at most 4 KiB is read, told by a stat before it is opened. Before: a FIFO blocked the
     * JVM's start forever (open waits for a writer) and /dev/zero filled the heap (OutOfMemoryError out of premain,
     * a native abort); a directory was "cannot read (IOException: Is a directory)".
     */
    @Test
    void aTokenFileIsARegularFileOfAtMost4KiBOrOneLine(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        // on the old code this call never returns: run it where a hang fails the test instead of stalling the build
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertBad("http=9464,token=" + fifo, "bad value for token: '" + fifo + "' is not a regular file (a FIFO)"));
        assertBad("http=9464,token=/dev/zero", "bad value for token: '/dev/zero' is not a regular file (a character device)");
        assertBad("http=9464,token=" + tmp, "bad value for token: '" + tmp + "' is not a regular file (a directory)");
        Path big = Files.write(tmp.resolve("big"), new byte[Options.MAX_TOKEN_BYTES + 1]);
        assertBad("http=9464,token=" + big, "bad value for token: '" + big + "' is larger than 4096 bytes (expected a file holding the token)");
        Path justFits = Files.writeString(tmp.resolve("fits"), "t".repeat(Options.MAX_TOKEN_BYTES));
        assertThat(Options.readToken(justFits)).hasSize(Options.MAX_TOKEN_BYTES);
        Path good = Files.writeString(tmp.resolve("good"), "s3cret\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), good);
        assertThat(Options.parse("http=9464,token=" + link).token()).as("a link to a regular file is fine").isEqualTo(link);
        assertThat(Options.readToken(link)).isEqualTo("s3cret");
        Path linkToFifo = Files.createSymbolicLink(tmp.resolve("link-to-fifo"), fifo);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertBad("http=9464,token=" + linkToFifo,
                "bad value for token: '" + linkToFifo + "' is not a regular file (a FIFO)"));
    }

    /** What the endpoint re-reads when it starts: the same refusals, as an exception the agent thread turns into one line. */
    @Test
    void readingTheTokenAgainRefusesWhatLaunchRefuses(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> Options.readToken(fifo))
                .isInstanceOf(Options.BadTokenFile.class).hasMessage("is not a regular file (a FIFO)"));
        assertThatThrownBy(() -> Options.readToken(Path.of("/dev/urandom"))).isInstanceOf(Options.BadTokenFile.class)
                .hasMessage("is not a regular file (a character device)");
        Path empty = Files.writeString(tmp.resolve("empty"), " \n");
        assertThatThrownBy(() -> Options.readToken(empty)).as("an empty token would let 'Bearer ' in")
                .isInstanceOf(Options.BadTokenFile.class).hasMessage("is empty (expected a file holding the token)");
    }

    @Test
    void healthThresholdsNeedHttpAndAWholeNumber() {
        assertThat(Options.parse("http=9464").health()).isEqualTo(HealthLimits.OFF);
        assertThat(Options.parse("http=9464,health.live=1000,health.delta=0,health.longBlocked=5").health())
                .isEqualTo(new HealthLimits(1000, 0, 5));
        assertThat(Options.parse("health.delta = 200 , http=9464").health().delta()).as("a dotted key starts a new option").isEqualTo(200);
        assertBad("health.live=1000", "option 'health.live' needs 'http' (it is a threshold of the endpoint's /health)");
        assertBad("http=9464,health.live=0", "bad value for health.live: '0' (expected a whole number from 1 to 100000000)");
        assertBad("http=9464,health.delta=-1", "bad value for health.delta: '-1' (expected a whole number from 0 to 100000000)");
        assertBad("http=9464,health.longBlocked=lots", "bad value for health.longBlocked: 'lots' (expected a whole number from 0 to 100000000)");
        assertBad("http=9464,health.threads=5", "unknown option 'health.threads' " + KNOWN);
    }

    /** README's options table is the one the specs make: a row per option, consecutive options of one meaning and default in one row. */
    @Test
    void readmesOptionsTableIsTheSpecs() throws Exception {
        List<String> readme = Files.readAllLines(Path.of("../README.md"));
        int header = readme.indexOf("| option | default | meaning |");
        assertThat(header).as("README's options table").isNotNegative();
        List<String> table = new ArrayList<>();
        for (String line : readme.subList(header, readme.size())) {
            if (!line.startsWith("|")) break;
            table.add(line);
        }
        assertThat(String.join("\n", table)).isEqualTo(String.join("\n", optionsTable()));
    }

    private static List<String> optionsTable() {
        List<String> rows = new ArrayList<>(List.of("| option | default | meaning |", "|---|---|---|"));
        List<Options.Spec> specs = Options.SPECS;
        for (int i = 0; i < specs.size(); ) {
            Options.Spec first = specs.get(i);
            StringJoiner keys = new StringJoiner(", ");
            for (; i < specs.size() && specs.get(i).meaning().equals(first.meaning())
                    && specs.get(i).documentedDefault().equals(first.documentedDefault()); i++) {
                keys.add("`" + specs.get(i).key() + "`");
            }
            rows.add("| " + keys + " | " + first.documentedDefault() + " | " + first.meaning() + " |");
        }
        return rows;
    }
}
