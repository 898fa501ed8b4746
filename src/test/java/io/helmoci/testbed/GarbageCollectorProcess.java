package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Kubernetes' real garbage collector for a {@link KubeApiServerFixture}, which has none: the
 * kube-controller-manager that {@code tools/install.sh} builds for the single-node cluster (same
 * k8s.io/kubernetes version as the API server), with only its {@code garbagecollector} controller,
 * no leader election and no serving port. It deletes objects whose owners are gone, as in a real
 * cluster. Start it after the CRDs the test needs are installed (it discovers resources at start).
 */
public final class GarbageCollectorProcess implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    /** What the garbage collector logs once it watches every resource (k8s.io/kubernetes pkg/controller/garbagecollector). */
    private static final String SYNCED = "all resource monitors have synced";

    private final Process process;
    private final Path log;

    private GarbageCollectorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static GarbageCollectorProcess start(Path kubeconfig, Path workDir) {
        List<String> command = List.of(
                Tools.executable("kube.controller.manager").toString(),
                "--kubeconfig=" + kubeconfig.toAbsolutePath(),
                "--controllers=garbagecollector",
                "--leader-elect=false",
                "--secure-port=0",
                "--v=2");
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("kube-controller-manager.log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            GarbageCollectorProcess collector = new GarbageCollectorProcess(process, log);
            collector.awaitSynced();
            return collector;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String logs() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void awaitSynced() {
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "kube-controller-manager exited with " + process.exitValue() + ":\n" + logs());
            }
            if (logs().contains(SYNCED)) {
                return;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException(
                "the garbage collector did not sync within " + STARTUP_TIMEOUT + ":\n" + logs());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
