package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real headless Chromium, driven over the Chrome DevTools Protocol (a WebSocket, with the JDK's own client): open a
 * page, run script in it, click and type as a user does (input events at an element's place, not synthetic DOM
 * events), and collect every console error and uncaught exception. {@link #find} locates the browser (the
 * {@code threadleak.browser} property, else {@code chromium}, {@code chromium-browser} or {@code google-chrome} on the
 * PATH); a test without one is skipped by assumption.
 */
final class Browser implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = new ArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

    /** The browser to run, if this machine has one. */
    static Optional<Path> find() {
        String given = System.getProperty("threadleak.browser");
        if (given != null && !given.isBlank()) return Optional.of(Path.of(given));
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Starts the browser with its profile in {@code profile} (a test's temporary directory), on a blank page. */
    Browser(Path browser, Path profile, int width, int height) throws IOException, InterruptedException {
        ProcessBuilder launch = new ProcessBuilder(browser.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0", "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        launch.environment().put("TMPDIR", Files.createDirectories(profile.resolve("tmp")).toString()); // nothing left in /tmp
        process = launch.start();
        Path portFile = profile.resolve("DevToolsActivePort");
        ChildJvm.await("Chromium's DevTools port", DEADLINE, () -> Files.isRegularFile(portFile) && lines(portFile).size() >= 2);
        int port = Integer.parseInt(lines(portFile).get(0).trim());
        HttpClient http = HttpClient.newHttpClient();
        String page = null;
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (page == null) {
            JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode t : targets) if (t.path("type").asText().equals("page")) page = t.path("webSocketDebuggerUrl").asText();
            if (page == null && System.nanoTime() > end) fail("Chromium opened no page");
            if (page == null) Thread.sleep(20); // poll interval
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).join();
        call("Runtime.enable", Map.of());
        call("Log.enable", Map.of());
        call("Page.enable", Map.of());
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Opens {@code url} and waits for its load event (its inline scripts have run). */
    void open(String url) {
        synchronized (this) {
            errors.clear(); // a page's errors are those since it was opened
        }
        loaded = new CompletableFuture<>();
        JsonNode r = call("Page.navigate", Map.of("url", url));
        if (r.hasNonNull("errorText")) fail("cannot open " + url + ": " + r.get("errorText").asText());
        loaded.orTimeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The value of a script expression (JSON-able), evaluated in the page. */
    JsonNode eval(String expression) {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) fail("script failed in the page: " + expression + ": " + r.get("exceptionDetails"));
        return r.path("result").path("value");
    }

    /** Clicks the middle of the first element matching {@code selector} with the mouse, as a person would. */
    void click(String selector) {
        JsonNode box = eval("(() => { const e = document.querySelector(" + JSON.valueToTree(selector) + "); if (!e) return null;"
                + " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + " return {x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2}; })()");
        if (box.isNull()) fail("nothing to click: " + selector);
        for (String type : List.of("mouseMoved", "mousePressed", "mouseReleased")) {
            call("Input.dispatchMouseEvent", Map.of("type", type, "x", box.get("x").asDouble(), "y", box.get("y").asDouble(),
                    "button", "left", "clickCount", 1));
        }
    }

    /** Moves the mouse to a point of the viewport. */
    void hover(double x, double y) {
        call("Input.dispatchMouseEvent", Map.of("type", "mouseMoved", "x", x, "y", y));
    }

    /** Types {@code text} into the first element matching {@code selector}, as keyboard input. */
    void type(String selector, String text) {
        eval("document.querySelector(" + JSON.valueToTree(selector) + ").focus()");
        call("Input.insertText", Map.of("text", text));
    }

    /** Headers sent with every request from now on (none: an empty map), as a proxy in front of the page would add them. */
    void headers(Map<String, String> headers) {
        call("Network.enable", Map.of());
        call("Network.setExtraHTTPHeaders", Map.of("headers", headers));
    }

    /** A PNG of the whole page. */
    byte[] screenshot() {
        return Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true)).get("data").asText());
    }

    /** Every console error and uncaught exception so far. */
    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    private JsonNode call(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(message.toString(), true).join();
        JsonNode r = answer.orTimeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
        if (r.has("error")) fail(method + " failed: " + r.get("error"));
        return r.path("result");
    }

    private synchronized void onEvent(JsonNode m) {
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        switch (method) {
            case "Runtime.exceptionThrown" -> errors.add("uncaught: " + p.path("exceptionDetails").path("exception").path("description").asText(
                    p.path("exceptionDetails").path("text").asText()));
            case "Runtime.consoleAPICalled" -> {
                if (p.path("type").asText().equals("error") || p.path("type").asText().equals("assert")) errors.add("console." + p.path("type").asText() + ": " + p.path("args"));
            }
            case "Log.entryAdded" -> {
                if (p.path("entry").path("level").asText().equals("error")) errors.add("log: " + p.path("entry").path("text").asText());
            }
            case "Page.loadEventFired" -> loaded.complete(null);
            default -> { }
        }
    }

    /** Reassembles the socket's messages (a long one comes in parts) and hands each to its call or to {@link #onEvent}. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                try {
                    JsonNode m = JSON.readTree(parts.toString());
                    if (m.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                        if (f != null) f.complete(m);
                    } else {
                        onEvent(m);
                    }
                } catch (IOException e) {
                    pending.values().forEach(f -> f.completeExceptionally(e));
                } finally {
                    parts.setLength(0);
                }
            }
            ws.request(1);
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> all;
        try (Stream<ProcessHandle> children = process.descendants()) {
            all = new ArrayList<>(children.toList());
        }
        all.add(process.toHandle());
        try {
            call("Browser.close", Map.of()); // lets it remove what it wrote
        } catch (RuntimeException | AssertionError alreadyGone) {
            // killed below
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
    }
}
