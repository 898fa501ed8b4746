package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private final Process process;
    private final Path log;
    private final int healthPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HelmControllerProcess(Process process, Path log, int healthPort) {
        this.process = process;
        this.log = log;
        this.healthPort = healthPort;
    }

    /** The HelmRelease, ExternalArtifact, HelmChart and OCIRepository CRDs of the pinned Flux modules. */
    public static List<String> applyCrds(KubeApiServerFixture kube) {
        return kube.applyCrds(Tools.fluxCrds());
    }

    /** Starts helm-controller on {@code kubeconfig} (all namespaces, no leader election) and waits for /readyz. */
    public static HelmControllerProcess start(Path kubeconfig, Path workDir) {
        int healthPort = freePort();
        List<String> command = List.of(
                Tools.helmController().toString(),
                "--feature-gates=ExternalArtifact=true",
                "--enable-leader-election=false",
                "--watch-all-namespaces=true",
                "--metrics-addr=127.0.0.1:" + freePort(),
                "--health-addr=127.0.0.1:" + healthPort,
                "--events-addr=",
                "--log-level=debug",
                "--log-encoding=console");
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("helm-controller.log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
            builder.environment().put("RUNTIME_NAMESPACE", "default");
            // Helm's caches and config, which helm-controller's Helm library may touch, stay in the work dir.
            builder.environment().put("HOME", workDir.toAbsolutePath().toString());
            HelmControllerProcess controller = new HelmControllerProcess(builder.start(), log, healthPort);
            controller.awaitReady();
            return controller;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String logs() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Adds helm-controller's log to a failure. */
    public <T extends Throwable> T withLogAttached(T failure) {
        failure.addSuppressed(new Throwable("helm-controller log:\n" + logs()));
        return failure;
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        URI readyz = URI.create("http://127.0.0.1:" + healthPort + "/readyz");
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("helm-controller exited with " + process.exitValue() + ":\n" + logs());
            }
            try {
                HttpResponse<Void> ready = http.send(
                        HttpRequest.newBuilder(readyz)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("helm-controller was not ready within " + STARTUP_TIMEOUT + ":\n" + logs());
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

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
