package dev.threadleak.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadleak.agent.it.ChildJvm.Jdk;
import dev.threadleak.agent.snapshot.Origin;
import dev.threadleak.agent.snapshot.SiteInfo;
import dev.threadleak.agent.snapshot.Snapshot;
import dev.threadleak.agent.snapshot.ThreadEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a thread can start is recorded exactly once, with the starting method as its blame frame. */
class StartPathsIT {
    private static final String APP = "dev.threadleak.agent.it.apps.StartPaths";
    /** Path method → threads it starts; null where the pool decides (ForkJoinPool may start more than one worker). */
    private static final Map<String, Integer> PLATFORM_PATHS = Map.of("plainThread", 1, "threadPool", 2,
            "scheduledPool", 1, "forkJoinCustom", -1, "forkJoinCommon", -1, "timer", 1, "viaLibrary", 1);
    private static final Map<String, Integer> JDK21_PATHS = Map.of("platformBuilder", 1, "virtualBuilder", 1,
            "startVirtualThread", 1, "virtualExecutor", 1);
    private static final Set<String> VIRTUAL = Set.of("virtualBuilder", "startVirtualThread", "virtualExecutor");

    static List<Jdk> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void everyStartPathIsRecordedOnceWithItsStartingMethod(Jdk jdk, @TempDir Path dir) throws Exception {
        Map<String, Integer> paths = new java.util.TreeMap<>(PLATFORM_PATHS);
        if (jdk.feature() >= 21) paths.putAll(JDK21_PATHS);
        Snapshot dump = run(jdk, "dir=" + dir + ",app=dev.threadleak.agent.it.apps", dir, paths.keySet());
        assertThat(dump.javaVersion()).startsWith(String.valueOf(jdk.feature()));

        List<Long> tids = dump.threads().stream().map(ThreadEntry::tid).toList();
        assertThat(new HashSet<>(tids)).as("each thread listed once").hasSize(tids.size());

        for (Map.Entry<String, Integer> path : paths.entrySet()) {
            List<SiteInfo> sites = dump.sites().stream()
                    .filter(s -> s.kind().equals(SiteInfo.THREAD))
                    .filter(s -> s.blameFrame().className().equals(APP) && s.blameFrame().method().equals(path.getKey()))
                    .toList();
            assertThat(sites).as("sites blamed on StartPaths.%s", path.getKey()).hasSize(1);
            SiteInfo site = sites.get(0);
            List<ThreadEntry> live = dump.threads().stream().filter(t -> t.site() == site.id()).toList();
            assertThat(live).as("live threads of %s", path.getKey()).isNotEmpty();
            assertThat(site.started()).as("threads %s started, counted once each", path.getKey()).isEqualTo(live.size());
            if (path.getValue() > 0) assertThat(live).as(path.getKey()).hasSize(path.getValue());
            for (ThreadEntry t : live) {
                assertThat(t.virtual()).as("%s virtual", path.getKey()).isEqualTo(VIRTUAL.contains(path.getKey()));
                assertThat(t.origin()).isEqualTo(Origin.STARTED);
                assertThat(t.starter().name()).isEqualTo("main");
            }
        }
        assertThat(dump.summary().agentStarted()).as("nothing else was started")
                .isEqualTo(dump.sites().stream().filter(s -> s.kind().equals(SiteInfo.THREAD)).mapToLong(SiteInfo::started).sum());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aThreadSubclassOverridingStartIsNotTheCreationSiteButAServerStartIs(Jdk jdk, @TempDir Path dir) throws Exception {
        String app = "dev.threadleak.agent.it.apps.SubclassStart";
        ChildJvm.Finished run = ChildJvm.run(jdk, List.of(ChildJvm.agent("dir=" + dir)), "-cp", ChildJvm.TEST_CP, app);
        assertThat(run.stderr()).isEmpty();
        assertThat(run.exitCode()).isZero();
        Snapshot dump = ChildJvm.newestDump(dir);
        Map<String, String> blame = new java.util.TreeMap<>();
        for (ThreadEntry t : dump.threads()) {
            SiteInfo site = dump.site(t.site());
            if (site != null) blame.put(t.name(), site.blameFrame().className() + "." + site.blameFrame().method());
        }
        assertThat(blame).containsEntry("worker", app + ".startWorker")
                .containsEntry("special", app + ".startSpecialWorker")
                .containsEntry("server", app + "$Server.start");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void blameSkipsThreadMakingLibrariesUnlessAppPackagesSayOtherwise(Jdk jdk, @TempDir Path dir) throws Exception {
        Snapshot dump = run(jdk, "dir=" + dir, dir, List.of("viaLibrary"));
        SiteInfo site = siteOfThread(dump, "path-lib");
        assertThat(site.blameFrame().toString()).startsWith("dev.threadleak.agent.it.lib.Spawner.spawn(Spawner.java:");
        assertThat(site.stack().get(site.blame() + 1).method()).isEqualTo("viaLibrary");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void threadsAliveBeforeTheAgentAreListedAsSuch(Jdk jdk, @TempDir Path dir) throws Exception {
        Snapshot dump = run(jdk, "dir=" + dir, dir, List.of("plainThread"));
        ThreadEntry main = dump.threads().stream().filter(t -> t.name().equals("main")).findFirst().orElseThrow();
        assertThat(main.origin()).isEqualTo(Origin.BEFORE_AGENT);
        assertThat(main.site()).isEqualTo(-1);
        assertThat(main.startedAtMs()).isEqualTo(dump.agentStartedAtMs());
        List<String> own = dump.threads().stream().filter(ThreadEntry::agentThread).map(ThreadEntry::name).toList();
        assertThat(own).contains("threadleak-agent").allMatch(n -> n.startsWith("threadleak-"));
        assertThat(dump.summary().live()).isEqualTo(dump.threads().size() - own.size());
    }

    private static SiteInfo siteOfThread(Snapshot dump, String name) {
        ThreadEntry t = dump.threads().stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no thread " + name + " in " + names(dump)));
        return dump.site(t.site());
    }

    private static String names(Snapshot dump) {
        return dump.threads().stream().map(ThreadEntry::name).collect(Collectors.joining(", "));
    }

    private static Snapshot run(Jdk jdk, String options, Path dir, java.util.Collection<String> paths) throws Exception {
        List<String> args = new ArrayList<>(List.of("-cp", ChildJvm.TEST_CP, APP));
        args.addAll(paths);
        try (ChildJvm child = ChildJvm.start(jdk, List.of(ChildJvm.agent(options)), args.toArray(new String[0]))) {
            assertThat(child.waitFor()).as("exit code; stderr: %s", child.stderr()).isZero();
            assertThat(child.stderr()).isEmpty();
            assertThat(child.stdout()).isEqualTo("started " + String.join(" ", paths) + "\n");
        }
        return ChildJvm.newestDump(dir);
    }
}
