package dev.threadleak.agent.expose;

import java.util.List;
import javax.management.ConstructorParameters;

/**
 * threadleak over JMX, as {@value #OBJECT_NAME}: the counts people alert on, the long-blocked threads, the
 * findings and the top creation sites, as open types (JConsole, VisualVM and the Prometheus JMX exporter
 * read them). Values come from the latest sample (at most one {@code sample} interval old).
 */
public interface ThreadLeakMXBean {
    String OBJECT_NAME = "dev.threadleak:type=ThreadLeak";

    int getLiveThreads();

    int getPeakThreads();

    long getTotalStarted();

    int getBaseline();

    int getDelta();

    int getLongBlockedCount();

    int getFindingCount();

    List<BlockedThread> getLongBlocked();

    /** Throwables the agent's hook swallowed inside Thread.start or an executor method (0 normally). */
    long getHookFailures();

    /** The address the HTTP endpoint serves on ({@code 127.0.0.1:41234}: the port chosen for {@code http=...:0}), or empty when it is off. */
    String getHttpAddress();

    /** The counts above from one snapshot, read together (separate attributes may come from two samples). */
    Counts getCounts();

    List<FindingInfo> getFindings();

    /** Creation sites with the most live threads, largest first (at most {@link dev.threadleak.agent.snapshot.SiteGroup#TOP_SITES}). */
    List<SiteCount> getTopSites();

    /** Writes a dump file into the agent's dump directory and returns its path. */
    String dump();

    /**
     * Proves thread leaks from a live heap dump, as {@code threadleak prove <pid>}: the heap is dumped into the dump
     * directory (a full GC, then every thread stopped while it is written: the pause is measured and said first), proved
     * in a JVM of its own (this one never carries the analysis) with the creation sites of a dump taken with it, and
     * deleted. Returns what {@code threadleak prove} prints.
     */
    String prove();

    /** Makes the current live count the baseline that Delta and GROWTH compare against. */
    void resetBaseline();

    /** The text report: findings, then live threads grouped by creation site. */
    String report();

    /** A thread stuck in one wait for at least the {@code blocked} threshold. */
    final class BlockedThread {
        private final long tid;
        private final String name;
        private final String waitReason;
        private final long waitingForMs;
        private final String blame;
        private final String waitFrame;

        @ConstructorParameters({"tid", "name", "waitReason", "waitingForMs", "blame", "waitFrame"})
        public BlockedThread(long tid, String name, String waitReason, long waitingForMs, String blame, String waitFrame) {
            this.tid = tid;
            this.name = name;
            this.waitReason = waitReason;
            this.waitingForMs = waitingForMs;
            this.blame = blame;
            this.waitFrame = waitFrame;
        }

        /** Where it is stuck: the first application frame of its current stack, or "". */
        public String getWaitFrame() { return waitFrame; }

        public long getTid() { return tid; }
        public String getName() { return name; }
        public String getWaitReason() { return waitReason; }
        public long getWaitingForMs() { return waitingForMs; }
        /** The blame frame of the thread's creation site, or "" when it was not seen starting. */
        public String getBlame() { return blame; }
    }

    /** A finding: kind, severity, one-line title, blame frame, threads, since when, evidence. */
    final class FindingInfo {
        private final String kind;
        private final String severity;
        private final String title;
        private final String blame;
        private final int threads;
        private final long sinceMs;
        private final String[] evidence;

        private final String waitFrame;

        @ConstructorParameters({"kind", "severity", "title", "blame", "threads", "sinceMs", "evidence", "waitFrame"})
        public FindingInfo(String kind, String severity, String title, String blame, int threads, long sinceMs, String[] evidence,
                           String waitFrame) {
            this.waitFrame = waitFrame;
            this.kind = kind;
            this.severity = severity;
            this.title = title;
            this.blame = blame;
            this.threads = threads;
            this.sinceMs = sinceMs;
            this.evidence = evidence.clone();
        }

        public String getKind() { return kind; }
        public String getSeverity() { return severity; }
        public String getTitle() { return title; }
        public String getBlame() { return blame; }
        public int getThreads() { return threads; }
        public long getSinceMs() { return sinceMs; }
        public String[] getEvidence() { return evidence.clone(); }
        /** Where the (first) waiting thread it concerns is stuck, or "" for findings not about waits. */
        public String getWaitFrame() { return waitFrame; }
    }

    /** The counts of one snapshot, taken at {@code takenAtMs}. */
    final class Counts {
        private final long takenAtMs;
        private final int liveThreads;
        private final int baseline;
        private final int delta;
        private final int longBlockedCount;
        private final int findingCount;
        private final long hookFailures;

        @ConstructorParameters({"takenAtMs", "liveThreads", "baseline", "delta", "longBlockedCount", "findingCount", "hookFailures"})
        public Counts(long takenAtMs, int liveThreads, int baseline, int delta, int longBlockedCount, int findingCount, long hookFailures) {
            this.takenAtMs = takenAtMs;
            this.liveThreads = liveThreads;
            this.baseline = baseline;
            this.delta = delta;
            this.longBlockedCount = longBlockedCount;
            this.findingCount = findingCount;
            this.hookFailures = hookFailures;
        }

        public long getTakenAtMs() { return takenAtMs; }
        public int getLiveThreads() { return liveThreads; }
        public int getBaseline() { return baseline; }
        public int getDelta() { return delta; }
        public int getLongBlockedCount() { return longBlockedCount; }
        public int getFindingCount() { return findingCount; }
        public long getHookFailures() { return hookFailures; }
    }

    /** A creation site and its thread counts. */
    final class SiteCount {
        private final String blame;
        private final int live;
        private final long started;

        @ConstructorParameters({"blame", "live", "started"})
        public SiteCount(String blame, int live, long started) {
            this.blame = blame;
            this.live = live;
            this.started = started;
        }

        public String getBlame() { return blame; }
        public int getLive() { return live; }
        public long getStarted() { return started; }
    }
}
