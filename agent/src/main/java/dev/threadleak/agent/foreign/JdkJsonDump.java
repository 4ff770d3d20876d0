package dev.threadleak.agent.foreign;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.JsonValue;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON thread dump of JDK 21 and later ({@code jcmd <pid> Thread.dump_to_file -format=json}): every thread,
 * virtual ones included, in its thread container ({@code <root>}, an executor, a structured task scope). JDK 21 to 23
 * write each thread's id, name and stack; JDK 24 and later add its state and what it waits on and holds. A dump without
 * states is read with each state inferred from the top of the stack (parked, waiting or sleeping, else runnable).
 */
final class JdkJsonDump {
    private static final JsonFactory JSON = new JsonFactory();

    private JdkJsonDump() {}

    /** True when {@code head} (a file's first characters) starts a JDK JSON thread dump. */
    static boolean looksLikeOne(String head) {
        return head.stripLeading().startsWith("{") && head.contains("\"threadDump\"");
    }

    static JdkDump read(InputStream in, String input) throws IOException {
        JsonValue root;
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IllegalArgumentException("not a JSON object");
            root = JsonValue.read(p);
        }
        JsonValue dump = root.path("threadDump");
        if (!dump.has("threadContainers")) throw new IllegalArgumentException("no 'threadDump.threadContainers' array");
        long takenAt = instant(dump.path("time").asText(""));
        if (takenAt < 0) throw new IllegalArgumentException("no 'threadDump.time' (an ISO-8601 instant)");
        long pid = dump.path("processId").asLong(-1);
        String version = dump.path("runtimeVersion").asText(null);
        List<JdkThread> threads = new ArrayList<>();
        for (JsonValue container : dump.path("threadContainers").elements()) {
            String name = container.path("container").asText("<root>");
            for (JsonValue t : container.path("threads").elements()) threads.add(thread(t, name));
        }
        return new JdkDump(takenAt, pid, version, input, List.copyOf(threads));
    }

    private static JdkThread thread(JsonValue t, String container) {
        long tid = t.path("tid").asLong(-1);
        if (tid < 0) throw new IllegalArgumentException("a thread without a 'tid'");
        List<Frame> stack = new ArrayList<>();
        for (JsonValue f : t.path("stack").elements()) {
            Frame frame = JstackText.frame(f.asText(""));
            if (frame != null) stack.add(frame);
        }
        String state = t.path("state").asText(null);
        if (state == null) state = inferredState(stack);
        List<OwnedMonitor> monitors = new ArrayList<>();
        for (JsonValue m : t.path("monitorsOwned").elements()) {
            int depth = m.path("depth").asInt(0);
            for (JsonValue lock : m.path("locks").elements()) {
                if (!lock.isNull()) monitors.add(new OwnedMonitor(depth, lock.asText()));
            }
        }
        String waitingOn = t.path("waitingOn").asText(null);
        if (waitingOn != null) monitors.removeIf(m -> m.lock().equals(waitingOn)); // released by the wait, as jstack's layout reads
        List<String> synchronizers = new ArrayList<>();
        for (JsonValue s : t.path("ownableSynchronizers").elements()) synchronizers.add(s.asText());
        JsonValue parkBlocker = t.path("parkBlocker");
        String blocker = parkBlocker.isTextual() ? parkBlocker.asText() : parkBlocker.path("object").asText(null);
        String name = t.path("name").asText("");
        boolean virtual = t.path("virtual").asBoolean(false) || (name.isEmpty() && stack.stream().anyMatch(f -> f.className().equals("java.lang.VirtualThread")));
        return new JdkThread(tid, name, false, Thread.NORM_PRIORITY, state, virtual, -1, List.copyOf(stack), blocker,
                t.path("blockedOn").asText(null), waitingOn, List.copyOf(monitors), List.copyOf(synchronizers), null, null, container);
    }

    /** JDK 21 to 23 print no state: what the top frames say. */
    private static String inferredState(List<Frame> stack) {
        for (int i = 0; i < Math.min(stack.size(), 6); i++) {
            Frame f = stack.get(i);
            if (f.objectWait() || f.method().equals("park") || f.method().startsWith("parkNanos") || f.method().equals("yieldContinuation")) return "WAITING";
            if (f.method().startsWith("sleep")) return "TIMED_WAITING";
        }
        return "RUNNABLE";
    }

    private static long instant(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
