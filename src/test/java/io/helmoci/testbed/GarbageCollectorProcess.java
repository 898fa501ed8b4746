package io.helmoci.testbed;

import java.nio.file.Path;
import java.time.Duration;

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

    private final ManagedProcess process;

    private GarbageCollectorProcess(ManagedProcess process) {
        this.process = process;
    }

    public static GarbageCollectorProcess start(Path kubeconfig, Path workDir) {
        ProcessBuilder command = new ProcessBuilder(
                Tools.executable("kube.controller.manager").toString(),
                "--kubeconfig=" + kubeconfig.toAbsolutePath(),
                "--controllers=garbagecollector",
                "--leader-elect=false",
                "--secure-port=0",
                "--v=2");
        ManagedProcess process = ManagedProcess.start(
                "kube-controller-manager", command, workDir.resolve("kube-controller-manager.log"));
        process.awaitLogLine(STARTUP_TIMEOUT, SYNCED);
        return new GarbageCollectorProcess(process);
    }

    public String logs() {
        return process.logs();
    }

    @Override
    public void close() {
        process.close();
    }
}
