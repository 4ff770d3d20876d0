package dev.threadleak.agent.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.threadleak.agent.cli.Main.UsageException;
import dev.threadleak.agent.config.RuntimeModules;
import dev.threadleak.agent.config.Wire;
import dev.threadleak.agent.prove.HeapProof;
import dev.threadleak.agent.snapshot.Finding;
import dev.threadleak.agent.snapshot.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Thread leaks proven from a heap dump: threads parked forever on what no thread that can run reaches. */
@Command(name = "prove", mixinStandardHelpOptions = true, header = "Proves thread leaks from a heap dump; exit 1 when one is proven.",
        description = {"Takes a live heap dump of a running JVM (a stop-the-world pause, measured and said), or reads one (jcmd",
                "<pid> GC.heap_dump, -XX:+HeapDumpOnOutOfMemoryError), and proves which threads can never wake: parked with no",
                "timeout on an object that nothing reaches but the waiting threads themselves. No threshold, no time: a proof."},
        footer = {"", "Exit codes: 0 nothing proven, 1 a leak proven, 2 bad input.", "Examples:", "  threadleak prove 4242",
                "  threadleak prove --keep /var/tmp/heap.hprof 4242", "  threadleak prove /var/tmp/java_pid4242.hprof",
                "  threadleak prove --agent-dump /var/tmp/threadleak /var/tmp/java_pid4242.hprof"})
final class ProveCommand implements Callable<Integer> {
    private static final String DIAGNOSTIC = "com.sun.management:type=HotSpotDiagnostic";

    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "<pid|heap.hprof>", description = "a running JVM's process id, or a heap dump file (HPROF)")
    private String target;

    @Option(names = "--keep", paramLabel = "FILE", description = "with a pid: write the heap dump to FILE and keep it (default: a temporary file, deleted after)")
    private Path keep;

    @Option(names = "--agent-dump", paramLabel = "DUMP|DIR", description = {"with a heap dump file: the agent's dump of the same JVM (or its dump"
            + " directory: the newest), whose creation sites the findings take. With a pid whose JVM has the agent, it is taken"
            + " right after the heap dump."})
    private Path agentDumpGiven;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = {"also write the agent's dump of the same JVM with the PROVEN_LEAK"
            + " findings joined to its own: a threadleak dump that report, check (exit 1), diff and the exports read. Needs"
            + " the agent's dump: a JVM with the agent, or --agent-dump."})
    private Path output;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text or json (default: text; json: " + HeapProof.FORMAT + ", see docs/cli-json.md)")
    private Output format = Output.TEXT;

    @Mixin
    private AppPackages app;

    @Override
    public Integer call() throws UsageException {
        Path heap;
        boolean temporary = false;
        Dumps.Dump agentDump = null;
        if (target.matches("\\d{1,10}")) {
            if (agentDumpGiven != null) throw new UsageException("prove: --agent-dump is for a heap dump read from a file; with a pid the agent's dump is taken");
            Jvms.require("prove", RuntimeModules.ATTACH, RuntimeModules.MANAGEMENT, RuntimeModules.MANAGEMENT_RMI);
            Jvms.checkAttachable("prove", target);
            String agentDir = TargetProperties.read(target, Wire.DIR_PROPERTY);
            boolean hasAgent = agentDir != null && !TargetProperties.unknown(agentDir);
            if (output != null && agentDir == null) {
                throw new UsageException("prove: -o writes the agent's dump with the proof, and process " + target + " does not have the agent");
            }
            temporary = keep == null;
            heap = keep != null ? keep.toAbsolutePath() : temporaryHeapFile();
            dumpHeap(heap);
            if (hasAgent) agentDump = agentDumpOf(target);
        } else {
            if (keep != null) throw new UsageException("prove: --keep is for a heap dump taken of a pid, not one read from a file");
            heap = Path.of(target);
            if (!Files.isRegularFile(heap)) throw new UsageException(heap + (Files.exists(heap) ? ": not a regular file" : ": no such file or directory"));
            if (agentDumpGiven != null) agentDump = Dumps.resolve(agentDumpGiven);
            else if (output != null) throw new UsageException("prove: -o writes the agent's dump with the proof: give it with --agent-dump");
        }
        try {
            HeapProof proof = HeapProof.of(heap, app.packages(), agentDump == null ? null : agentDump.snapshot());
            String sites = agentDump == null ? null : agentDump.source();
            if (format == Output.TEXT) {
                proof.writeText(heap.toString(), sites, main.out);
            } else {
                try (JsonGenerator g = Output.json(main.out, true)) {
                    proof.writeJson(g, heap.toString(), sites);
                }
                main.out.println();
            }
            if (output != null) writeWithProof(agentDump, proof);
            return proof.proven() > 0 ? Main.FOUND : Main.OK;
        } catch (IllegalArgumentException e) {
            throw new UsageException(heap + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UsageException(heap + ": cannot read: " + e.getMessage());
        } finally {
            if (temporary) {
                try {
                    Files.deleteIfExists(heap);
                } catch (IOException e) {
                    main.err.println("threadleak: prove: cannot delete " + heap + ": " + e.getMessage());
                }
            }
        }
    }

    /** Writes {@code agentDump} to {@code -o} with the proof's findings first among its own, whole or not at all. */
    private void writeWithProof(Dumps.Dump agentDump, HeapProof proof) throws UsageException {
        if (agentDump == null) throw new UsageException("prove: -o: the agent's dump could not be taken (said above): nothing written");
        List<Finding> findings = new ArrayList<>(proof.findings());
        findings.addAll(agentDump.snapshot().findings());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            SnapshotCodec.write(agentDump.snapshot().withFindings(findings), bytes);
            OutputFile.write(output, bytes.toByteArray());
        } catch (IOException e) {
            throw new UsageException("prove: cannot write " + output + ": " + e.getMessage());
        }
        main.err.println("threadleak: prove: the agent's dump with the proof written to " + output);
    }

    /**
     * The agent's dump of process {@code pid} (which has the agent), taken now: its creation sites name the lines that
     * started the proven threads. A dump that fails is said, and the proof goes on without sites (null).
     */
    private Dumps.Dump agentDumpOf(String pid) {
        try {
            return Dumps.resolve(Path.of(Jvms.agentDump("prove", pid)));
        } catch (UsageException e) {
            main.err.println("threadleak: prove: without creation sites: " + e.getMessage());
            return null;
        }
    }

    /** A name for a heap dump the target writes and this command deletes (the target's user is this one). */
    private Path temporaryHeapFile() throws UsageException {
        try {
            Path dir = Files.createTempDirectory("threadleak-prove-");
            dir.toFile().deleteOnExit();
            return dir.resolve("heap-" + target + ".hprof");
        } catch (IOException e) {
            throw new UsageException("prove: cannot make a temporary directory: " + e.getMessage());
        }
    }

    /** The target writes a live heap dump (a full GC first, then every thread stopped while it is written): the pause is said. */
    private void dumpHeap(Path file) throws UsageException {
        if (Files.exists(file)) throw new UsageException("prove: " + file + " exists; the JVM writes a heap dump only to a new file");
        main.err.println("threadleak: prove: process " + target + " stops while its live heap is dumped to " + file + " (a full GC, then the dump)");
        long start = System.nanoTime();
        try (JMXConnector connector = Jvms.localJmx("prove", target)) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            server.invoke(new ObjectName(DIAGNOSTIC), "dumpHeap", new Object[] {file.toString(), true}, new String[] {String.class.getName(), boolean.class.getName()});
        } catch (UsageException e) {
            throw e;
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            throw new UsageException("prove: process " + target + " could not dump its heap: " + root.getMessage());
        } finally {
            try {
                if (Files.exists(file)) {
                    main.err.printf("threadleak: prove: heap dump of %.1f MB written in %d ms (the pause, about)%n", Files.size(file) / 1e6,
                            (System.nanoTime() - start) / 1_000_000);
                }
            } catch (IOException ignored) {
                // the size is only said
            }
        }
    }
}
