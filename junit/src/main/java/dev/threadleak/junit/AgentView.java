package dev.threadleak.junit;

import dev.threadleak.names.SharedNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threadleak agent's in-process view, when an agent is loaded: the {@link SharedNames#HOOK_VIEW_FIELD} field of
 * the hook class the agent defines into {@code java.lang} (one per JVM, visible from every class loader, JDK types
 * only; its keys are {@code SharedNames.FACT_*}). No compile-time tie to the agent.
 */
final class AgentView {
    /**
     * Whether self-attach was tried: once per JVM, whichever asks first (a run of the extension or a plain
     * {@link ThreadLeaks} call, which has no run to keep it in), since an agent once loaded stays for the JVM's life.
     */
    private static boolean attachTried;

    private AgentView() {}

    /** Lets the next check try self-attach again (tests of self-attach). */
    static synchronized void forgetSelfAttach() {
        attachTried = false;
    }

    /** True when an agent is loaded (self-attached first, when asked to). */
    static boolean present() {
        return loaded() != null;
    }

    /** Facts per live thread the agent knows (virtual threads included), or null without an agent. */
    static Map<Thread, Map<String, Object>> facts() {
        Supplier<Map<Thread, Map<String, Object>>> view = loaded();
        if (view == null) return null;
        try {
            return view.get();
        } catch (RuntimeException e) {
            return null; // an agent that cannot answer is no agent: the check still works on its own
        }
    }

    private static Supplier<Map<Thread, Map<String, Object>>> loaded() {
        Supplier<Map<Thread, Map<String, Object>>> view = view();
        // -Dthreadleak.attach=true: load the agent into this JVM at the first check when it is not there
        return view == null && Boolean.getBoolean(SharedNames.ATTACH_PROPERTY) ? selfAttach() : view;
    }

    @SuppressWarnings("unchecked")
    private static Supplier<Map<Thread, Map<String, Object>>> view() {
        try {
            Object view = Class.forName(SharedNames.HOOK_CLASS, false, null).getField(SharedNames.HOOK_VIEW_FIELD).get(null);
            return view instanceof Supplier ? (Supplier<Map<Thread, Map<String, Object>>>) view : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null; // no agent, or one older than this view
        }
    }

    /** Runs {@code java -jar threadleak-agent.jar attach <this pid>} once; the agent's view appears within seconds. */
    private static synchronized Supplier<Map<Thread, Map<String, Object>>> selfAttach() {
        if (attachTried) return view();
        attachTried = true;
        Path jar = agentJar();
        if (!Files.isRegularFile(jar)) {
            warn("cannot self-attach: no agent jar at " + jar + " (set -D" + SharedNames.AGENT_JAR_PROPERTY + "=path/to/threadleak-agent.jar)");
            return null;
        }
        try {
            Process attach = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                    "attach", Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true).start();
            String output = readAll(attach.getInputStream());
            if (!attach.waitFor(60, TimeUnit.SECONDS) || attach.exitValue() != 0) {
                warn("cannot self-attach: " + output.strip());
                return null;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (view() == null && System.nanoTime() - deadline < 0) Thread.sleep(10); // the agent installs its hooks
            return view();
        } catch (IOException e) {
            warn("cannot self-attach: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The agent jar to self-attach: -Dthreadleak.agentJar, else the local Maven repository's, of this library's version. */
    static Path agentJar() {
        String jar = System.getProperty(SharedNames.AGENT_JAR_PROPERTY);
        if (jar != null) return Path.of(jar);
        String version = AgentView.class.getPackage().getImplementationVersion();
        String repo = System.getProperty("maven.repo.local", Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return Path.of(repo, "dev", "threadleak", "threadleak-agent", String.valueOf(version), "threadleak-agent-" + version + ".jar");
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    static void warn(String line) {
        System.err.println("[threadleak] " + line);
    }
}
