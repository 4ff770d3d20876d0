package dev.threadleak.agent.snapshot;

import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.util.List;

/** A cycle of threads each waiting for a lock the next one holds (monitors or java.util.concurrent locks). */
public record Deadlock(List<Link> cycle) {

    /** {@code thread} waits for {@code lock}, held by {@code owner}. */
    public record Link(ThreadRef thread, String lock, ThreadRef owner) {}

    /** {@code "a" waits for Account@1b2c held by "b"; "b" waits for Account@3d4e held by "a"}. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Link l : cycle) {
            if (out.length() > 0) out.append("; ");
            out.append('"').append(l.thread().name()).append("\" waits for ").append(l.lock())
                    .append(" held by \"").append(l.owner().name()).append('"');
        }
        return out.toString();
    }
}
