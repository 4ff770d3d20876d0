package dev.threadleak.agent.config;

import dev.threadleak.agent.snapshot.Printable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's options, {@code key=value} pairs separated by commas. A comma only separates options when a
 * {@code key=} follows it, so list values need no quoting: {@code app=com.acme,org.example,interval=30s}.
 */
public record Options(Path dir, Duration interval, int keep, int depth, List<String> app, Duration sample,
                      Duration blocked, Duration window, int growth, int duplicates, int sites, int starts, int submissions, int threads,
                      InetSocketAddress http, Path token, boolean maskSecrets, HealthLimits health, boolean debug) {

    /** The default of {@code starts}: one start's stack in this many, after each key's first few. */
    public static final int DEFAULT_STARTS = 64;
    /** The default of {@code submissions}: one submission stack in this many (after each executor's first few). */
    public static final int DEFAULT_SUBMISSIONS = 256;

    /**
     * One option: its key, its default value (parsed when the option is not given; null when there is none), and
     * its row of README's options table: the default as written there ({@link #documentedDefault}) and its meaning.
     *
     * @param shownDefault the default as README writes it, or null for the default value in backticks
     */
    public record Spec(String key, String defaultValue, String shownDefault, String meaning) {
        /** The default as README's table writes it. */
        public String documentedDefault() {
            return shownDefault != null ? shownDefault : "`" + defaultValue + "`";
        }
    }

    /** What each health.* threshold means: they share one row of README's table. */
    private static final String HEALTH = "thresholds of `/health` (they need `http`), each named after the `/health` field it bounds: live "
            + "threads, threads over the baseline, long-blocked threads. Above one, `/health` answers 503 with a "
            + "reason `live 1,204 > health.live 1,000`. Whole numbers: `health.live` from 1, the others from 0 "
            + "(`health.longBlocked=0`: any long-blocked thread), up to 100,000,000";

    /**
     * Every option, in the order README's table documents them: that table is made of these specs (OptionsTest
     * checks it), a row per option, consecutive options of one meaning in one row.
     */
    public static final List<Spec> SPECS = List.of(
            new Spec("dir", null, "`${java.io.tmpdir}/threadleak-<user.name>`",
                    "dump directory; created `0700`, dump files are `0600`; an existing one is used only if this user "
                    + "owns it and no one else may write it. It also keeps the hooked JDK classes, "
                    + "`threadleak-hooks-<key>.bin` (about 160 KB, one per JDK build and agent jar, the 4 newest kept): "
                    + "the next JVM of that JDK build puts them in as they are and loads no bytecode rewriter at start-up "
                    + "(see *Safety*)"),
            spec("interval", "1m",
                    "periodic dump interval: `500ms`, `30s`, `5m`, `1h`; `0` = only on exit and on demand"),
            spec("keep", "20",
                    "dumps of this JVM kept in `dir`; older ones are deleted (other JVMs' dumps, even of the same pid, "
                    + "are left alone)"),
            spec("depth", "32",
                    "frames kept per creation stack (1 to 1024); the blame frame is kept even when deeper"),
            new Spec("app", "", "none",
                    "application packages, e.g. `app=com.acme,org.example`: their first frame is the blame frame "
                    + "(without it, the application's own code is inferred: see *Blame rules*)"),
            spec("sample", "5s",
                    "how often thread states are sampled (waits, findings); `0` = only when a dump is written"),
            spec("blocked", "60s",
                    "a thread in one wait (not idle) this long is *long-blocked*, a task running this long is *stuck*, a "
                    + "task queued this long is a *stall*; `0` = these three findings off"),
            spec("window", "1m",
                    "the span over which growth findings compare samples"),
            spec("growth", "100",
                    "GROWTH: live threads above the baseline before it is a finding"),
            spec("duplicates", "20",
                    "DUPLICATE_STACKS: blocked threads with one identical stack before it is a finding"),
            spec("sites", "10000",
                    "creation sites kept (100 to 1,000,000); past it the least recently started sites with no live "
                    + "thread are folded (their starts still counted)"),
            spec("starts", String.valueOf(DEFAULT_STARTS),
                    "thread starts whose creation stack is captured: each key's first (until 4 are seen), then one in N, "
                    + "and every start of a key seen at two sites (see *What it does*); `all` (every start) or `off`"),
            spec("submissions", String.valueOf(DEFAULT_SUBMISSIONS),
                    "task submissions whose stack is captured: each executor's first 8 and each submitting line's first "
                    + "4, then one in N per line; `all` or `off`"),
            spec("threads", "10000",
                    "threads listed per dump file (100 to 10,000,000); the rest are counted per group (`notListed`) and "
                    + "in `summary.threadsNotListed`: a million virtual threads make a dump of a few MB, not hundreds. "
                    + "Long-blocked, deadlocked and stuck threads are always listed"),
            new Spec("http", null, "off",
                    "the HTTP endpoint (see *In production*): `9464` listens on `127.0.0.1:9464` only; `<ip>:<port>` "
                    + "(`0.0.0.0:9464`, `[::1]:9464`) is needed to listen beyond this host, and then a warning line says "
                    + "so. IP addresses or `localhost` only (no DNS at launch). Port `0` takes a free port: the port taken is in "
                    + "every dump's `http`, the MXBean's `HttpAddress`, `threadleak list` and the system property `threadleak.http`"),
            new Spec("token", null, "none",
                    "a file whose content (trimmed) every HTTP request must carry as `Authorization: Bearer <token>`; "
                    + "read at launch (unreadable or empty: the JVM does not start) and when the endpoint starts. Only a "
                    + "regular file (or a link to one) of at most 4,096 bytes is read; a FIFO, device, directory or bigger "
                    + "file is refused with one line, without opening it"),
            spec("secrets", "mask",
                    "`mask`: values that look like secrets in the launch command (`sun.java.command`: main class or jar "
                    + "and its arguments) are replaced by `******` in every dump, page and report (see *Safety*); `show`: "
                    + "the command as given"),
            new Spec("health.live", null, "none", HEALTH),
            new Spec("health.delta", null, "none", HEALTH),
            new Spec("health.longBlocked", null, "none", HEALTH),
            spec("log", "warn",
                    "the agent's own lines on stderr, each `[threadleak] ...`: `warn` says what fails (each problem once); "
                    + "`debug` also says each fallback to a slower path, one `[threadleak] debug: ...` line each, once: what "
                    + "failed and what the agent does instead (the hooked-classes file not read, not written or refused; JDK "
                    + "fields the stack and task keys cannot read)"));

    /** Every key, in the order the README documents them. */
    public static final List<String> KEYS = keys();
    /** The largest health.* threshold: more threads than any JVM runs. */
    private static final int MAX_HEALTH_LIMIT = 100_000_000;

    private static final int MAX_DEPTH = 1024;
    /** Longer durations would overflow nanosecond arithmetic; nobody means them. */
    private static final Duration MAX_DURATION = Duration.ofDays(365);

    /** Thrown for an option the agent cannot accept; its message is the whole line shown to the user. */
    public static final class BadOption extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadOption(String message) { super(Printable.oneLine(message)); }
    }

    public static Options defaults() {
        return parse(null);
    }

    public static Options parse(String text) {
        return of(given(text));
    }

    /**
     * The options text to hand to another JVM (attach): the same options, checked, with a given {@code dir}
     * made absolute here, where a relative one was meant; a {@code dir} not given stays out, so the target
     * picks its own default (its own temporary directory and user).
     */
    public static String forTarget(String text) {
        Map<String, String> given = given(text);
        Options parsed = of(given);
        if (given.containsKey("dir")) given.put("dir", parsed.dir().toString());
        if (given.containsKey("token")) given.put("token", parsed.token().toString());
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (out.length() > 0) out.append(',');
            out.append(e.getKey()).append('=').append(e.getValue());
        }
        String serialized = out.toString();
        if (!of(given(serialized)).equals(parsed)) {
            // a dir holding ",key=" would be split apart by the target
            throw new BadOption("bad value for dir: '" + given.get("dir") + "' (cannot be passed on: it holds ',<option>=')");
        }
        return serialized;
    }

    private static Map<String, String> given(String text) {
        Map<String, String> given = new LinkedHashMap<>();
        if (text != null && !text.isBlank()) {
            for (String pair : split(text.trim())) {
                int eq = pair.indexOf('=');
                if (eq < 0) throw new BadOption("option '" + pair + "' has no '=' (expected key=value; known: " + String.join(", ", KEYS) + ")");
                String key = pair.substring(0, eq).trim();
                if (!KEYS.contains(key)) throw new BadOption("unknown option '" + key + "' (known: " + String.join(", ", KEYS) + ")");
                if (given.put(key, pair.substring(eq + 1).trim()) != null) throw new BadOption("option '" + key + "' given twice");
            }
        }
        return given;
    }

    /** An option whose default README writes as it is, in backticks. */
    private static Spec spec(String key, String defaultValue, String meaning) {
        return new Spec(key, defaultValue, null, meaning);
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(SPECS.size());
        for (Spec spec : SPECS) keys.add(spec.key());
        return List.copyOf(keys);
    }

    /** The value given for {@code key}, else its default. */
    private static String value(Map<String, String> given, String key) {
        String value = given.get(key);
        if (value != null) return value;
        for (Spec spec : SPECS) {
            if (spec.key().equals(key)) return spec.defaultValue();
        }
        throw new IllegalArgumentException("no option " + key);
    }

    private static Options of(Map<String, String> given) {
        return new Options(
                dir(given.containsKey("dir") ? given.get("dir") : defaultDir()),
                duration("interval", value(given, "interval")),
                integer("keep", value(given, "keep"), 1, 100_000),
                integer("depth", value(given, "depth"), 1, MAX_DEPTH),
                packages(value(given, "app")),
                duration("sample", value(given, "sample")),
                duration("blocked", value(given, "blocked")),
                duration("window", value(given, "window")),
                integer("growth", value(given, "growth"), 1, 1_000_000),
                integer("duplicates", value(given, "duplicates"), 2, 1_000_000),
                integer("sites", value(given, "sites"), 100, 1_000_000),
                oneIn("starts", value(given, "starts")),
                oneIn("submissions", value(given, "submissions")),
                integer("threads", value(given, "threads"), 100, 10_000_000),
                http(value(given, "http")),
                token(value(given, "token"), given.containsKey("http")),
                maskSecrets(value(given, "secrets")),
                new HealthLimits(
                        healthLimit(given, "health.live", 1),
                        healthLimit(given, "health.delta", 0),
                        healthLimit(given, "health.longBlocked", 0)),
                debug(value(given, "log")));
    }

    /** A /health threshold ({@link HealthLimits#NONE} when not given); it needs the endpoint it applies to. */
    private static long healthLimit(Map<String, String> given, String key, int min) {
        String value = given.get(key);
        if (value == null) return HealthLimits.NONE;
        if (!given.containsKey("http")) throw new BadOption("option '" + key + "' needs 'http' (it is a threshold of the endpoint's /health)");
        return integer(key, value, min, MAX_HEALTH_LIMIT);
    }

    /**
     * {@code 9464} (loopback) or {@code <ip>:<port>}; null when not given (the endpoint is off). Only IP literals
     * and {@code localhost}: a host name would be a DNS lookup inside premain.
     */
    private static InetSocketAddress http(String value) {
        if (value == null) return null;
        String expected = " (expected a port like 9464, which listens on 127.0.0.1 only, or <ip>:<port> like 0.0.0.0:9464 or [::1]:9464)";
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : value.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (bracketed) host = host.substring(1, host.length() - 1);
        if (!bracketed && host.indexOf(':') >= 0) throw new BadOption("bad value for http: '" + value + "' (write an IPv6 address in brackets: [::1]:9464)");
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new BadOption("bad value for http: '" + value + "'" + expected);
        }
        if (port < 0 || port > 65535) throw new BadOption("bad value for http: '" + value + "' (port " + port + " is not from 0, a free port, to 65535)");
        if (!isAddressLiteral(host)) throw new BadOption("bad value for http: '" + value + "' (the address must be an IP address or localhost)");
        try {
            // in brackets, an IPv6 address that does not parse is an error, not a DNS lookup
            return new InetSocketAddress(InetAddress.getByName(host.indexOf(':') >= 0 ? "[" + host + "]" : host), port);
        } catch (java.io.IOException | RuntimeException e) {
            throw new BadOption("bad value for http: '" + value + "' (" + host + " is not an IP address)");
        }
    }

    /** localhost, an IPv6 literal (it has ':'), or four numbers 0 to 255: what InetAddress.getByName takes without DNS. */
    private static boolean isAddressLiteral(String host) {
        if (host.equals("localhost") || host.indexOf(':') >= 0) return true;
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) return false;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) return false;
            for (int i = 0; i < part.length(); i++) {
                if (part.charAt(i) < '0' || part.charAt(i) > '9') return false;
            }
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    /** {@code mask} (the default: secrets in the command line are masked everywhere the agent shows it) or {@code show}. */
    private static boolean maskSecrets(String value) {
        if (value.equals("mask")) return true;
        if (value.equals("show")) return false;
        throw new BadOption("bad value for secrets: '" + value + "' (expected mask or show)");
    }

    /** {@code warn} (the default: what fails, each problem once) or {@code debug} (also each fallback to a slower path). */
    private static boolean debug(String value) {
        if (value.equals("warn")) return false;
        if (value.equals("debug")) return true;
        throw new BadOption("bad value for log: '" + value + "' (expected warn or debug)");
    }

    /** A readable, non-empty file whose content (trimmed) every HTTP request must carry as a Bearer token. */
    private static Path token(String value, boolean http) {
        if (value == null) return null;
        if (!http) throw new BadOption("option 'token' needs 'http' (the token guards the HTTP endpoint)");
        if (value.isEmpty()) throw new BadOption("bad value for token: empty (expected a file holding the token)");
        Path file;
        try {
            file = Path.of(value).toAbsolutePath();
            readToken(file);
        } catch (BadTokenFile e) {
            throw new BadOption("bad value for token: '" + value + "' " + e.getMessage());
        } catch (java.io.IOException | RuntimeException e) {
            throw new BadOption("bad value for token: cannot read '" + value + "' (" + e + ")");
        }
        return file;
    }

    /** A token is a short secret; a file bigger than this is a mistake (a log, an image), not read. */
    public static final int MAX_TOKEN_BYTES = 4096;

    /** A token file that is not one (a FIFO, a device, too big, empty); its message is what is wrong, after the file's name. */
    public static final class BadTokenFile extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        BadTokenFile(String problem) { super(problem); }
    }

    /**
     * The token a request must carry: the token file's content, without surrounding white space (a final newline).
     * Only a regular file (a link to one is followed), told from one stat before it is opened: opening a FIFO blocks
     * until a writer comes, and a device such as /dev/zero never ends, so reading it whole fills the heap. At most
     * {@link #MAX_TOKEN_BYTES} are read even when the file grows after the stat.
     */
    public static String readToken(Path file) throws java.io.IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attrs.isRegularFile()) throw new BadTokenFile("is not a regular file (" + kind(file, attrs) + ")");
        if (attrs.size() > MAX_TOKEN_BYTES) throw new BadTokenFile("is larger than " + MAX_TOKEN_BYTES + " bytes (expected a file holding the token)");
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_TOKEN_BYTES + 1);
        }
        if (bytes.length > MAX_TOKEN_BYTES) throw new BadTokenFile("is larger than " + MAX_TOKEN_BYTES + " bytes (expected a file holding the token)");
        // strict UTF-8, as Files.readString was: a token with bytes that are not text is refused, not mangled
        String token = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString().trim();
        if (token.isEmpty()) throw new BadTokenFile("is empty (expected a file holding the token)");
        return token;
    }

    /** What a file that is not a regular one is, for the message: the type bits of its mode where the unix view has them. */
    private static String kind(Path file, BasicFileAttributes attrs) {
        if (attrs.isDirectory()) return "a directory";
        int type;
        try {
            type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
        } catch (java.io.IOException | RuntimeException e) {
            type = 0; // no unix view: said generally
        }
        return switch (type) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a FIFO, device or socket";
        };
    }

    /** Periodic dumps are off when the interval is zero. */
    public boolean periodicDumps() {
        return !interval.isZero();
    }

    /** Sampling (wait tracking, findings) is off when the sample interval is zero; dumps still sample once each. */
    public boolean sampling() {
        return !sample.isZero();
    }

    /**
     * {@code ${java.io.tmpdir}/threadleak-<user.name>}: one directory per user, so that one user's directory
     * never stops another's dumps (nor holds them where that user can replace them). Characters other than
     * letters, digits, '.', '_' and '-' in the user name become '_'. Read only when {@code dir} is not given:
     * java.io.tmpdir may be unreadable (a SecurityManager's policy).
     */
    public static String defaultDir() {
        String user = System.getProperty("user.name", "");
        StringBuilder safe = new StringBuilder(user.length());
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            safe.append(c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-') ? c : '_');
        }
        if (safe.length() == 0) safe.append("user");
        return Path.of(System.getProperty("java.io.tmpdir"), "threadleak-" + safe).toString();
    }

    private static Path dir(String value) {
        if (value.isEmpty()) throw new BadOption("bad value for dir: empty (expected a directory path)");
        try {
            return Path.of(value).toAbsolutePath();
        } catch (RuntimeException e) {
            throw new BadOption("bad value for dir: '" + value + "' (" + e.getMessage() + ")");
        }
    }

    static Duration duration(String key, String value) {
        if (value.equals("0")) return Duration.ZERO;
        int digits = 0;
        while (digits < value.length() && digits < 10 && Character.isDigit(value.charAt(digits))) digits++;
        String unit = value.substring(digits);
        if (digits == 0 || digits > 9 || !(unit.equals("ms") || unit.equals("s") || unit.equals("m") || unit.equals("h"))) {
            throw new BadOption("bad value for " + key + ": '" + value + "' (expected a duration like 500ms, 30s, 5m, 1h, or 0 for off)");
        }
        long n = Long.parseLong(value.substring(0, digits));
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(MAX_DURATION) > 0) throw new BadOption("bad value for " + key + ": '" + value + "' (at most 365 days, or 0 for off)");
        if (d.toMillis() < 100) throw new BadOption("bad value for " + key + ": '" + value + "' (at least 100ms, or 0 for off)");
        return d;
    }

    /** One stack captured in how many (after the first few of each key): a number, {@code all} (1) or {@code off} (0). */
    private static int oneIn(String key, String value) {
        if (value.equals("all")) return 1;
        if (value.equals("off")) return 0;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 1_000_000) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadOption("bad value for " + key + ": '" + value + "' (expected all, off, or capture one in N from 1 to 1000000)");
    }

    private static int integer(String key, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadOption("bad value for " + key + ": '" + value + "' (expected a whole number from " + min + " to " + max + ")");
    }

    // String.split: its one-character fast path (no regex on premain's path), and trailing commas ignored as they always were
    @SuppressWarnings("StringSplitter")
    private static List<String> packages(String value) {
        if (value.isEmpty()) return List.of();
        List<String> names = new ArrayList<>();
        for (String name : value.split(",")) {
            name = name.trim();
            if (!isPackageName(name)) throw new BadOption("bad value for app: '" + name + "' is not a package name (expected e.g. app=com.acme,org.example)");
            names.add(name);
        }
        return List.copyOf(names);
    }

    /**
     * Splits at the commas that start a new {@code key=}: values may hold commas. Plain loops, no regex
     * (premain: no lambdas, see ARCHITECTURE.md).
     */
    private static List<String> split(String text) {
        List<String> pairs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ',' && startsKey(text, i + 1)) {
                pairs.add(text.substring(start, i));
                start = i + 1;
            }
        }
        pairs.add(text.substring(start));
        return pairs;
    }

    /** A key ({@code health.live} has a dot), then '=', with spaces allowed around the key ({@code dir=/tmp/d, interval = 5s}). */
    private static boolean startsKey(String text, int from) {
        int i = skipSpaces(text, from), keyStart = i;
        while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_' || text.charAt(i) == '-' || text.charAt(i) == '.')) i++;
        if (i == keyStart) return false;
        i = skipSpaces(text, i);
        return i < text.length() && text.charAt(i) == '=';
    }

    private static int skipSpaces(String text, int i) {
        while (i < text.length() && text.charAt(i) == ' ') i++;
        return i;
    }

    private static boolean isPackageName(String name) {
        if (name.isEmpty()) return false;
        for (String part : name.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.charAt(0))) return false;
            for (int i = 1; i < part.length(); i++) {
                if (!Character.isJavaIdentifierPart(part.charAt(i))) return false;
            }
        }
        return true;
    }
}
