package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, built by {@code mvn package}
 * before the integration tests) running as a real process against a kubeconfig, as users run it
 * out of cluster. Its log goes to a file and is attached to failures.
 */
public final class OperatorProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final ManagedProcess process;
    private final int port;
    private final int webhookPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private OperatorProcess(ManagedProcess process, int port, int webhookPort) {
        this.process = process;
        this.port = port;
        this.webhookPort = webhookPort;
    }

    /**
     * Starts the operator and waits until it is ready (/q/health/ready).
     *
     * @param kubeconfig the cluster to work on
     * @param workDir    its store and log go here
     * @param properties extra -D settings, e.g. faster retries for tests
     */
    public static OperatorProcess start(Path kubeconfig, Path workDir, Map<String, String> properties) {
        return start(kubeconfig, workDir, properties, List.of());
    }

    /** As {@link #start(Path, Path, Map)}, with JVM options such as {@code -Xmx256m} before {@code -jar}. */
    public static OperatorProcess start(
            Path kubeconfig, Path workDir, Map<String, String> properties, List<String> jvmOptions) {
        return start(kubeconfig, workDir, properties, jvmOptions, Map.of());
    }

    /** As {@link #start(Path, Path, Map, List)}, with extra environment variables such as {@code HTTP_PROXY}. */
    public static OperatorProcess start(
            Path kubeconfig,
            Path workDir,
            Map<String, String> properties,
            List<String> jvmOptions,
            Map<String, String> environment) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(
                    JAR + " is missing: integration tests run after 'mvn package' (use 'mvn verify').");
        }
        int port = ManagedProcess.freePort();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("quarkus.http.host", "127.0.0.1");
        settings.put("quarkus.http.port", Integer.toString(port));
        settings.put("helmoci.artifacts.base-url", "http://127.0.0.1:" + port);
        int webhookPort = ManagedProcess.freePort(); // the registry webhook listener (HelmOciReceiver): its own port
        settings.put("helmoci.webhook.host", "127.0.0.1");
        settings.put("helmoci.webhook.port", Integer.toString(webhookPort));
        settings.put("helmoci.store.path", workDir.resolve("store").toString());
        settings.put("helmoci.leader-election.lease-namespace", "default");
        // Tests poll with intervals of a few seconds on purpose; the shipped floor (10s) is for clusters.
        settings.put("helmoci.reconcile.min-interval", "1s");
        if (KubeApiServerFixture.isShared(kubeconfig)) {
            // The shared API server keeps earlier test classes' HelmOciCharts, whose registries are gone: their
            // failing checks hold workers for their in-line retries. Deleting a namespace removes nothing there
            // (it runs no namespace controller), only some classes delete their HelmOciCharts (CheckRoundsIT), and
            // the operator cannot watch only the class's namespaces (it starts before they are created); so
            // java-operator-sdk's 50 workers keep them from delaying the class under test. On an API server of
            // its own (benchmarks, FluxCrdLaterIT) the operator runs with the shipped 20.
            settings.put("quarkus.operator-sdk.concurrent-reconciliation-threads", "50");
        }
        settings.putAll(properties);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        builder.environment().putAll(environment);
        OperatorProcess operator = new OperatorProcess(
                ManagedProcess.start("the operator", builder, workDir.resolve("operator.log")), port, webhookPort);
        operator.process.awaitHttpOk(STARTUP_TIMEOUT, operator.baseUrl().resolve("/q/health/ready"));
        return operator;
    }

    /** The operator's process id (for /proc figures such as peak RSS). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The registry webhook listener: {@code webhookUrl().resolve(status.webhookPath)}. */
    public URI webhookUrl() {
        return URI.create("http://127.0.0.1:" + webhookPort);
    }

    public HttpResponse<byte[]> get(String pathOrUrl) {
        return get(pathOrUrl, Map.of());
    }

    /** A GET with request headers such as {@code Range} or {@code If-None-Match}. */
    public HttpResponse<byte[]> get(String pathOrUrl, Map<String, String> headers) {
        URI uri =
                pathOrUrl.startsWith("http") ? URI.create(pathOrUrl) : baseUrl().resolve(pathOrUrl);
        try {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
            headers.forEach(request::header);
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String logs() {
        return process.logs();
    }

    /** Adds the operator's log to a failure. */
    public <T extends Throwable> T withLogAttached(T failure) {
        return process.withLogAttached(failure);
    }

    /**
     * Sends SIGTERM, as Kubernetes does to stop a pod, and waits up to {@code grace} for the process to end.
     *
     * @return its exit code, or empty if it was still running (it is then killed)
     */
    public OptionalInt terminate(Duration grace) {
        return process.terminate(grace);
    }

    @Override
    public void close() {
        process.close();
    }
}
