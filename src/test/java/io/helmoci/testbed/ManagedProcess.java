package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A test-bed service run as a real process (the operator, Fulcio, the timestamp authority,
 * helm-controller, kube-controller-manager): its output goes to a log file, it is polled until it is
 * ready, its log is attached to failures, and closing it stops it (SIGTERM, then SIGKILL).
 */
public final class ManagedProcess implements AutoCloseable {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final Process process;
    private final Path log;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

    private ManagedProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code command} with its output (stdout and stderr) written to {@code log}.
     *
     * @param name how failures name it, e.g. {@code "helm-controller"}
     */
    public static ManagedProcess start(String name, ProcessBuilder command, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = command.redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ManagedProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a readiness check sees: empty while the service is not ready yet. */
    @FunctionalInterface
    public interface Probe<T> {
        /** An {@link IOException} counts as "not listening yet". */
        Optional<T> check() throws IOException, InterruptedException;
    }

    /**
     * Polls {@code probe} until it gives a value. If the process exits first, or {@code timeout}
     * passes, it is stopped and an {@link IllegalStateException} carrying its log is thrown.
     */
    public <T> T awaitReady(Duration timeout, Probe<T> probe) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + logs());
            }
            try {
                try {
                    Optional<T> ready = probe.check();
                    if (ready.isPresent()) {
                        return ready.get();
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException(name + " was not ready within " + timeout + ":\n" + logs());
    }

    /** {@link #awaitReady} until a GET of {@code url} answers 200; returns that answer's body. */
    public String awaitHttpOk(Duration timeout, URI url) {
        return awaitReady(timeout, () -> {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(url).timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        });
    }

    /** {@link #awaitReady} until the log contains {@code line}. */
    public void awaitLogLine(Duration timeout, String line) {
        awaitReady(timeout, () -> logs().contains(line) ? Optional.of(line) : Optional.empty());
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    public String logs() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Adds the log to a failure. */
    public <T extends Throwable> T withLogAttached(T failure) {
        failure.addSuppressed(new Throwable(name + "'s log:\n" + logs()));
        return failure;
    }

    /**
     * Sends SIGTERM, as Kubernetes does to stop a pod, and waits up to {@code grace} for the process to end.
     *
     * @return its exit code, or empty if it was still running (it is then killed)
     */
    public OptionalInt terminate(Duration grace) {
        process.destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.of(process.exitValue());
            }
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        return OptionalInt.empty();
    }

    @Override
    public void close() {
        terminate(STOP_GRACE);
    }

    /** A port free on loopback now, for a service to listen on. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
