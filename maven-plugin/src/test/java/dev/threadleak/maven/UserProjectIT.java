package dev.threadleak.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A user's project (src/test/resources/user-project) set up exactly as README says, threadleak-junit with the agent
 * that this plugin puts into Surefire's argLine, built by Maven on the oldest supported JUnit Jupiter and on JUnit 6.
 */
class UserProjectIT {
    @ParameterizedTest(name = "JUnit {0} on JDK {1}")
    @CsvSource({"5.10.2, 17", "6.1.3, 25"})
    void surefireRunFailsTheLeakyClassNamingTheLineThatStartedTheWorker(String junit, int feature) {
        InnerBuild build = InnerBuild.run("user-project", "user-project-" + junit, feature, List.of("verify", "-Djunit.version=" + junit));
        String out = build.out();
        assertThat(build.exit()).as(out).isEqualTo(1);
        // the agent jar is the plugin's dependency, resolved from the local repository
        assertThat(out).containsPattern("\\[INFO] threadleak: argLine set to -javaagent:\\S+" + File.separator + "threadleak-agent-"
                + InnerBuild.VERSION.replace(".", "\\.") + "\\.jar=dir=\\S+/target/threadleak\n");
        // Surefire counts the class's failure as one more test
        assertThat(out).contains("Tests run: 3, Failures: 1, Errors: 0, Skipped: 0")
                .contains("dev.threadleak.junit.ThreadLeakError: \n1 thread leaked by class LeakyTest (alive after it, not before it;"
                        + " still running after 2000 ms)\n")
                .containsPattern("\n\"pool-\\d+-thread-1\" #\\d+ platform WAITING \\(parked on "
                        + "java.util.concurrent.locks.AbstractQueuedSynchronizer\\$ConditionObject\\)\n")
                .contains("\n    created at: com.example.LeakyTest.computesInTheBackground(LeakyTest.java:14)\n")
                .contains("\n    started by: test LeakyTest.computesInTheBackground() (thread \"main\" #")
                .contains("\n    pool of:    ThreadPoolExecutor built at com.example.LeakyTest.computesInTheBackground(LeakyTest.java:13),"
                        + " never shut down\n")
                .doesNotContain("CleanTest -- Time elapsed");
        // README's example message comes from target/user-project-*/build-output.txt
    }
}
