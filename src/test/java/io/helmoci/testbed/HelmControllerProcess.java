package io.helmoci.testbed;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Flux's real helm-controller ({@code tools/install.sh} builds it from its Go module, version in
 * {@code tools/go/helm-controller/go.mod}) as a process against a kubeconfig, with the
 * {@code ExternalArtifact} feature gate on, as Flux 2.7+ users enable it
 * ({@code --feature-gates=ExternalArtifact=true}). It installs with its own client (no
 * impersonation), keeps Helm's release Secrets in the release namespace, and downloads artifacts
 * over plain HTTP, so the operator's artifact server must listen on loopback. Its log goes to a
 * file and is attached to failures. {@link #applyCrds} installs the CRDs it needs first.
 */
public final class HelmControllerProcess implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final ManagedProcess process;

    private HelmControllerProcess(ManagedProcess process) {
        this.process = process;
    }

    /** The HelmRelease, ExternalArtifact, HelmChart and OCIRepository CRDs of the pinned Flux modules. */
    public static List<String> applyCrds(KubeApiServerFixture kube) {
        return kube.applyCrds(Tools.fluxCrds());
    }

    /** Starts helm-controller on {@code kubeconfig} (all namespaces, no leader election) and waits for /readyz. */
    public static HelmControllerProcess start(Path kubeconfig, Path workDir) {
        int healthPort = ManagedProcess.freePort();
        ProcessBuilder builder = new ProcessBuilder(
                        Tools.helmController().toString(),
                        "--feature-gates=ExternalArtifact=true",
                        "--enable-leader-election=false",
                        "--watch-all-namespaces=true",
                        "--metrics-addr=127.0.0.1:" + ManagedProcess.freePort(),
                        "--health-addr=127.0.0.1:" + healthPort,
                        "--events-addr=",
                        "--log-level=debug",
                        "--log-encoding=console")
                .directory(workDir.toFile());
        builder.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        builder.environment().put("RUNTIME_NAMESPACE", "default");
        // Helm's caches and config, which helm-controller's Helm library may touch, stay in the work dir.
        builder.environment().put("HOME", workDir.toAbsolutePath().toString());
        ManagedProcess process =
                ManagedProcess.start("helm-controller", builder, workDir.resolve("helm-controller.log"));
        process.awaitHttpOk(STARTUP_TIMEOUT, URI.create("http://127.0.0.1:" + healthPort + "/readyz"));
        return new HelmControllerProcess(process);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logs() {
        return process.logs();
    }

    /** Adds helm-controller's log to a failure. */
    public <T extends Throwable> T withLogAttached(T failure) {
        return process.withLogAttached(failure);
    }

    @Override
    public void close() {
        process.close();
    }
}
