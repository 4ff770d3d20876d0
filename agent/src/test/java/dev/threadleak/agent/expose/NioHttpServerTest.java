package dev.threadleak.agent.expose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.threadleak.agent.expose.NioHttpServer.BadRequest;
import dev.threadleak.agent.expose.NioHttpServer.Request;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The server's reading of a request head; the server itself is tested over sockets in a child JVM (it/HttpIT, it/HttpAttackIT). */
class NioHttpServerTest {
    private static Request parse(String head) throws BadRequest {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        return NioHttpServer.parse(bytes, bytes.length);
    }

    /** The status and one-line body the server answers a head with. */
    private static String refused(String head) {
        BadRequest bad = catchThrowableOfType(() -> parse(head), BadRequest.class);
        assertThat(bad).as("refused: %s", head).isNotNull();
        String body = new String(bad.response.body(), StandardCharsets.UTF_8);
        assertThat(body).endsWith("\n").doesNotContain("\r").hasLineCount(1);
        return bad.response.status() + " " + body.strip();
    }

    @Test
    void aRequestIsItsMethodPathQueryAndTheHeadersThePagesRead() throws BadRequest {
        assertThat(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nACCEPT:  text/plain \r\nauthorization: Bearer t\r\nAccept: other\r\n\r\n"))
                .isEqualTo(new Request("GET", "/metrics", null, "Bearer t", "text/plain", false));
        assertThat(parse("HEAD /debug/threads?debug=2 HTTP/1.0\n\n")).isEqualTo(new Request("HEAD", "/debug/threads", "debug=2", null, null, false));
        assertThat(parse("GET /metrics? HTTP/1.1\r\n\r\n").query()).isEmpty();
        assertThat(parse("GET //metrics HTTP/1.1\r\n\r\n").path()).as("a path no page has: 404 from the pages").isEqualTo("//metrics");
        assertThat(parse("POST /metrics HTTP/1.1\r\nContent-Length: 1\r\n\r\n")).as("405 from the pages, after which the body is read and dropped")
                .isEqualTo(new Request("POST", "/metrics", null, null, null, true));
        assertThat(parse("POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").body()).isTrue();
        assertThat(parse("GET /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n").body()).isFalse();
    }

    @Test
    void anythingElseIsOneLineOf400Or505() {
        assertThat(refused("GET  /metrics HTTP/1.1\r\n\r\n")).startsWith("400 threadleak: malformed request line 'GET  /metrics HTTP/1.1'");
        assertThat(refused("GET /metrics\r\n\r\n")).startsWith("400 threadleak: malformed request line");
        assertThat(refused("GET /metrics HTTP/1.1 x\r\n\r\n")).startsWith("400 threadleak: malformed request line");
        assertThat(refused("G(T /metrics HTTP/1.1\r\n\r\n")).startsWith("400 threadleak: malformed request line");
        assertThat(refused("GET /metrics HTTP/1.1\r\r\n\r\n")).isEqualTo("400 threadleak: malformed request line 'GET /metrics HTTP/1.1\\u000d'"
                + " (expected: GET /metrics HTTP/1.1)");
        assertThat(refused("GET /metrics http/1.1\r\n\r\n")).startsWith("400 threadleak: malformed request line");
        assertThat(refused("GET /metrics HTTP/2.0\r\n\r\n")).isEqualTo("505 threadleak: HTTP/2.0 is not served (HTTP/1.1 and HTTP/1.0 are)");
        assertThat(refused("GET http://host/metrics HTTP/1.1\r\n\r\n"))
                .isEqualTo("400 threadleak: bad request target 'http://host/metrics' (a path, such as /metrics)");
        assertThat(refused("OPTIONS * HTTP/1.1\r\n\r\n")).startsWith("400 threadleak: bad request target '*'");
        assertThat(refused("GET /m\u00e9trics HTTP/1.1\r\n\r\n")).startsWith("400 threadleak: bad request target");
        assertThat(refused("GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n")).isEqualTo("400 threadleak: malformed header line 'Host : x' (expected: Name: value)");
        assertThat(refused("GET /metrics HTTP/1.1\r\n folded\r\n\r\n")).startsWith("400 threadleak: malformed header line ' folded'");
        assertThat(refused("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n")).startsWith("400 threadleak: malformed header line 'no colon'");
        assertThat(refused("\r\nGET /metrics HTTP/1.1\r\n\r\n")).startsWith("400 threadleak: malformed request line ''");
        assertThat(refused("GET /\u0001" + "x".repeat(300) + " HTTP/1.1\r\n\r\n")).as("escaped and cut")
                .startsWith("400 threadleak: bad request target '/\\u0001xxx").contains("x...' (a path");
    }

    @Test
    void theHeadEndsAtItsFirstBlankLineWhereverTheReadsCut() {
        byte[] b = "GET / HTTP/1.1\r\nA: b\r\n\r\nbody".getBytes(StandardCharsets.ISO_8859_1);
        int end = "GET / HTTP/1.1\r\nA: b\r\n\r\n".length();
        for (int cut = 0; cut <= b.length; cut++) {
            int first = NioHttpServer.endOfHead(b, 0, cut), second = NioHttpServer.endOfHead(b, cut, b.length);
            assertThat(first < 0 ? second : first).as("read cut at %d", cut).isEqualTo(end);
        }
        assertThat(NioHttpServer.endOfHead("GET / HTTP/1.0\n\nx".getBytes(StandardCharsets.ISO_8859_1), 0, 17)).isEqualTo(16);
        assertThat(NioHttpServer.endOfHead("GET / HTTP/1.1\r\nA: b\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, 22)).isEqualTo(-1);
    }
}
