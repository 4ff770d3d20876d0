package dev.threadleak.agent.cli;

import dev.threadleak.agent.foreign.JdkSnapshots;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --app}, for the commands that read what another JVM wrote: the packages blamed first, as the agent's {@code app} option. */
final class AppPackages {
    @Option(names = "--app", paramLabel = "PACKAGES", split = ",",
            description = "JDK dumps: application packages (com.acme,org.example), whose first frame is blamed")
    private List<String> packages = List.of();

    List<String> packages() {
        return packages;
    }

    /** A reader of the JDK's dumps that blames these packages first. */
    JdkSnapshots reader() {
        return new JdkSnapshots(packages);
    }
}
