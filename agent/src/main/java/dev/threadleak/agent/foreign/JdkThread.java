package dev.threadleak.agent.foreign;

import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.ThreadEntry.OwnedMonitor;
import dev.threadleak.agent.snapshot.ThreadEntry.ThreadRef;
import java.util.List;

/**
 * One thread as a JDK dump shows it, before it is placed in a snapshot. Locks are {@code Class@hex}, as the snapshot's.
 *
 * @param state       a {@code Thread.State} name
 * @param startedAtMs epoch ms the thread started, or -1 when the input does not say
 * @param stack       its current stack, innermost first (empty when the input has none)
 * @param creation    the stack that started it, from the caller of {@code Thread.start} outwards, or null (only JFR has it)
 * @param starter     the thread that started it, or null
 * @param container   the thread container (JSON dumps: an executor, {@code <root>}), or null
 */
record JdkThread(long tid, String name, boolean daemon, int priority, String state, boolean virtual, long startedAtMs,
                 List<Frame> stack, String parkBlocker, String blockedOn, String waitingOn, List<OwnedMonitor> monitorsOwned,
                 List<String> synchronizersOwned, List<Frame> creation, ThreadRef starter, String container) {

    /** The same thread, started at {@code startedAtMs}, by {@code starter} from {@code creation}. */
    JdkThread started(long atMs, List<Frame> creationStack, ThreadRef by) {
        return new JdkThread(tid, name, daemon, priority, state, virtual, atMs, stack, parkBlocker, blockedOn, waitingOn,
                monitorsOwned, synchronizersOwned, creationStack, by, container);
    }
}
