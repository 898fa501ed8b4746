package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A real tool binary run with an environment that points its configuration into its own home
 * directory, never the user's: what {@link HelmCli}, {@link OrasCli}, {@link CosignCli},
 * {@link NotationCli} and {@link Gpg} share.
 */
final class IsolatedTool {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Supplier<Path> executable;
    private final Path home;
    private final Map<String, String> env;

    /** Creates {@code home}; {@code executable} is looked up at each run (the tools cache may be filled later). */
    IsolatedTool(Supplier<Path> executable, Path home, Map<String, String> env) {
        this.executable = executable;
        this.home = home;
        this.env = env;
        createDirectories(home);
    }

    Path home() {
        return home;
    }

    Map<String, String> env() {
        return env;
    }

    /** Runs {@code <tool> <args>} in {@code workDir}, {@code stdin} (or null) as its input; failure included. */
    ProcessRunner.Result run(Path workDir, List<String> args, byte[] stdin) {
        List<String> command = new ArrayList<>();
        command.add(executable.get().toString());
        command.addAll(args);
        return ProcessRunner.run(command, env, workDir, stdin, TIMEOUT);
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
