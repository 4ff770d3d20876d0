package dev.threadleak.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@link ServerBench} reads from one {@code wrk --latency} run's output. */
record Wrk(double requestsPerSecond, double p50Ms, double p99Ms, long requests, long socketErrors, long non2xx) {
    private static final Pattern RPS = Pattern.compile("(?m)^Requests/sec:\\s+([\\d.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s*(\\d+) requests in ");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses: (\\d+)");

    /** Parses wrk's report; throws with the output when it is none (wrk failed or printed only an error) or counts no request. */
    static Wrk parse(String out) {
        Matcher rps = RPS.matcher(out), requests = REQUESTS.matcher(out);
        if (!rps.find() || !requests.find()) throw new IllegalStateException("wrk printed no result:\n" + out);
        if (Long.parseLong(requests.group(1)) == 0) throw new IllegalStateException("wrk completed no request:\n" + out);
        long socketErrors = 0;
        Matcher e = SOCKET_ERRORS.matcher(out);
        if (e.find()) for (int g = 1; g <= 4; g++) socketErrors += Long.parseLong(e.group(g));
        Matcher n = NON_2XX.matcher(out);
        return new Wrk(Double.parseDouble(rps.group(1)), percentileMs(out, "50%"), percentileMs(out, "99%"),
                Long.parseLong(requests.group(1)), socketErrors, n.find() ? Long.parseLong(n.group(1)) : 0);
    }

    /** One line of the "Latency Distribution" block (printed by --latency), e.g. {@code 99%    5.30ms}. */
    private static double percentileMs(String out, String percentile) {
        Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s|m)\\s*$").matcher(out);
        if (!m.find()) throw new IllegalStateException("wrk printed no " + percentile + " latency (run it with --latency):\n" + out);
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            case "s" -> v * 1000;
            default -> v * 60_000;
        };
    }
}
