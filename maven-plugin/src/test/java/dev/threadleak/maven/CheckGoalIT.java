package dev.threadleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code check} goal on a project whose test JVMs the agent watched (src/test/resources/check-project): Surefire's
 * fork runs quiet tests, Failsafe's leaves two threads deadlocked, a CRITICAL finding of that JVM's exit dump. The
 * project has an argLine of its own, and its directory's name a space: prepare-agent must keep the one and quote the other.
 */
class CheckGoalIT {
    @Test
    void failsTheBuildOnAFindingOfOneTestJvmPrintingItsReport() {
        InnerBuild build = InnerBuild.run("check-project", "check-project deadlock", 17, List.of("verify"));
        String out = build.out();
        assertThat(build.exit()).as(out).isEqualTo(1);
        assertThat(out).containsPattern("\\[INFO] threadleak: argLine set to \"-javaagent:\\S+\\.jar=dir=.+/check-project deadlock/target/threadleak\" "
                        + "-Dcheck.marker=kept\n")
                .contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0", "Tests run: 1, Failures: 0, Errors: 0, Skipped: 0")
                .containsPattern("\\[ERROR] .*DEADLOCK.*2 threads deadlocked")
                .contains("\"transfer-b-a\" waits for", "com.example.DeadlockIT.")
                .containsPattern("\\[ERROR] Failed to execute goal dev\\.threadleak:threadleak-maven-plugin:\\S+:check \\(default\\) on project "
                        + "check-project: threadleak: findings of severity HIGH or above in the dumps of 1 of 2 test JVMs \\(report above\\)");
    }

    @Test
    void passesWhenTheTestJvmsDumpsHoldNoFinding() {
        InnerBuild build = InnerBuild.run("check-project", "check-project quiet", 17, List.of("verify", "-DskipITs"));
        String out = build.out();
        assertThat(build.exit()).as(out).isZero();
        assertThat(out).contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0", "[INFO] BUILD SUCCESS")
                .containsPattern("\\[INFO] --- threadleak-maven-plugin:\\S+:check \\(default\\) @ check-project ---\n\\[INFO] threadleak report: .+/target/threadleak/threadleak-\\d+-")
                .doesNotContain("DEADLOCK");
    }
}
