package io.helmoci.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real CLI (helm, oras, kubectl) to completion and captures what it printed. */
public final class ProcessRunner {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private ProcessRunner() {}

    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException("command failed with exit code " + exitCode + ": "
                        + String.join(" ", command) + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr);
            }
            return this;
        }
    }

    public static Result run(List<String> command) {
        return run(command, Map.of(), null, null, DEFAULT_TIMEOUT);
    }

    /**
     * @param env   extra environment variables
     * @param dir   working directory, or null for the current one
     * @param stdin bytes written to standard input, or null for none
     */
    public static Result run(List<String> command, Map<String, String> env, Path dir, byte[] stdin, Duration timeout) {
        List<String> cmd = List.copyOf(command);
        try {
            Path out = Files.createTempFile("proc-out", ".txt");
            Path err = Files.createTempFile("proc-err", ".txt");
            try {
                ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(cmd))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                if (dir != null) {
                    builder.directory(dir.toFile());
                }
                builder.environment().putAll(env);
                Process process = builder.start();
                if (stdin != null) {
                    process.getOutputStream().write(stdin);
                }
                process.getOutputStream().close();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(
                            "command timed out after " + timeout + ": " + String.join(" ", cmd));
                }
                return new Result(
                        cmd,
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", cmd), e);
        }
    }
}
