package dev.threadleak.agent.foreign;

import dev.threadleak.agent.snapshot.ExecutorInfo;
import dev.threadleak.agent.snapshot.Frame;
import dev.threadleak.agent.snapshot.NamePattern;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The thread pools a JDK dump shows without saying so. The agent knows each worker's executor, and a pool filling under
 * load is one owner, not a leak; a dump read from the JDK must tell the same, or every pool that grows with its load would
 * look like a leak. A worker is told by its stack (the run loop of a {@code ThreadPoolExecutor} or {@code ForkJoinPool}
 * worker), its pool by its thread container where the dump has one (JDK 21+ JSON dumps), else by its name: one name
 * shape with the pool number of a two-number name ({@code pool-3-thread-7}: pool 3), as the agent's owners count them.
 * A shape whose names repeat is several pools that number alike ({@code worker-1} twice): no pool is made of it, each
 * worker stays its own owner. Pools keep their ids across the dumps given to one reader. They have no site: they were
 * built before anything was recorded.
 */
final class Pools {
    /** A pool worker's run loop (JDK 17 to 25), and the executor class it stands for. */
    private static final String[][] RUN_LOOPS = {
            {"java.util.concurrent.ThreadPoolExecutor$Worker", "run", "java.util.concurrent.ThreadPoolExecutor"},
            {"java.util.concurrent.ForkJoinWorkerThread", "run", "java.util.concurrent.ForkJoinPool"}};
    /** Where an executor starts a worker (JDK 17 to 25), the top of its creation stack in a JFR recording. */
    private static final String[][] WORKER_STARTS = {
            {"java.util.concurrent.ThreadPoolExecutor", "addWorker", "java.util.concurrent.ThreadPoolExecutor"},
            {"java.util.concurrent.ForkJoinPool", "createWorker", "java.util.concurrent.ForkJoinPool"}};

    private final Map<String, Integer> ids = new HashMap<>();

    /** {@code threads} with each recognised worker given its pool, and those pools. */
    record Placed(List<ThreadEntry> threads, List<ExecutorInfo> executors) {}

    /**
     * {@code threads} placed in their pools.
     *
     * @param containers thread containers by thread id (JSON dumps)
     * @param creations  creation stacks by thread id (JFR recordings)
     */
    Placed place(List<ThreadEntry> threads, Map<Long, String> containers, Map<Long, List<Frame>> creations) {
        Map<String, List<Integer>> byPool = new LinkedHashMap<>();
        Map<String, String> kindOf = new HashMap<>();
        Set<String> ambiguous = new HashSet<>();
        Map<String, Set<String>> names = new HashMap<>();
        for (int i = 0; i < threads.size(); i++) {
            ThreadEntry t = threads.get(i);
            String kind = executorKind(t.stack(), creations.get(t.tid()));
            if (kind == null) continue;
            String container = containers.get(t.tid());
            String key;
            if (container != null && !container.equals("<root>")) {
                key = "container " + container;
            } else {
                String shape = NamePattern.shape(t.name());
                boolean twoNumbers = shape.indexOf('#') != shape.lastIndexOf('#');
                key = kind + " " + shape + (twoNumbers ? " " + NamePattern.firstNumber(t.name()) : "");
                if (!names.computeIfAbsent(key, k -> new HashSet<>()).add(t.name())) ambiguous.add(key);
            }
            byPool.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            kindOf.put(key, kind);
        }
        List<ThreadEntry> out = new ArrayList<>(threads);
        List<ExecutorInfo> executors = new ArrayList<>();
        byPool.forEach((key, workers) -> {
            if (ambiguous.contains(key)) return;
            int id = ids.computeIfAbsent(key, k -> ids.size());
            List<String> workerNames = new ArrayList<>();
            int active = 0;
            long created = Long.MAX_VALUE;
            for (int i : workers) {
                ThreadEntry t = threads.get(i);
                out.set(i, t.toBuilder().executor(id).build());
                workerNames.add(t.name());
                if (!t.idle()) active++;
                created = Math.min(created, t.startedAtMs());
            }
            executors.add(ExecutorInfo.builder(id, kindOf.get(key)).name(String.join(", ", NamePattern.of(workerNames))).state("RUNNING")
                    .poolSize(workers.size()).active(active).queued(-1).submitted(0).completed(-1).createdAtMs(created).build());
        });
        executors.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return new Placed(List.copyOf(out), List.copyOf(executors));
    }

    /** The executor class whose worker runs this stack, or was started from this creation stack (or null); null when neither tells. */
    private static String executorKind(List<Frame> stack, List<Frame> creation) {
        for (int i = stack.size() - 1; i >= 0 && i >= stack.size() - 4; i--) {
            String kind = match(stack.get(i), RUN_LOOPS);
            if (kind != null) return kind;
        }
        return creation == null || creation.isEmpty() ? null : match(creation.get(0), WORKER_STARTS);
    }

    private static String match(Frame f, String[][] table) {
        for (String[] row : table) {
            if (f.className().equals(row[0]) && f.method().equals(row[1])) return row[2];
        }
        return null;
    }
}
