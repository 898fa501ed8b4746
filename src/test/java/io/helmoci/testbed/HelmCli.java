package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real {@code helm} CLI, isolated in its own home: every HELM_* directory, the registry
 * config (credentials) and HOME point into {@code home}, so the user's ~/.config/helm is never read
 * or written. Connection flags ({@code --plain-http} or {@code --ca-file}) follow the registry.
 * Helm 3 unless a {@link HelmMajor} is given.
 */
public final class HelmCli {
    private static final Pattern DIGEST = Pattern.compile("(?m)^Digest: (\\S+)$");

    private final Path home;
    private final HelmMajor major;
    private final IsolatedTool tool;

    /** What {@code helm push} reported. */
    public record Pushed(String reference, String digest, ProcessRunner.Result result) {}

    public HelmCli(Path home) {
        this(home, HelmMajor.HELM_3);
    }

    public HelmCli(Path home, HelmMajor major) {
        this.home = home;
        this.major = major;
        this.tool = new IsolatedTool(
                major::executable,
                home,
                Map.of(
                        "HOME", home.toString(),
                        "HELM_CACHE_HOME", home.resolve("cache").toString(),
                        "HELM_CONFIG_HOME", home.resolve("config").toString(),
                        "HELM_DATA_HOME", home.resolve("data").toString(),
                        "HELM_REGISTRY_CONFIG", registryConfig().toString(),
                        "HELM_REPOSITORY_CONFIG",
                                home.resolve("config/repositories.yaml").toString(),
                        "HELM_REPOSITORY_CACHE",
                                home.resolve("cache/repository").toString(),
                        "DOCKER_CONFIG", home.resolve("docker").toString()));
    }

    /** The docker-style config.json helm keeps registry credentials in (after {@link #login}). */
    public Path registryConfig() {
        return home.resolve("config/registry/config.json");
    }

    public Path home() {
        return home;
    }

    public HelmMajor major() {
        return major;
    }

    /** The helm binary this runs. */
    public Path executable() {
        return major.executable();
    }

    /** The isolating environment helm runs with, to run it under another program (e.g. {@code /usr/bin/time}). */
    public Map<String, String> environment() {
        return tool.env();
    }

    /** Runs {@code helm <args>} and returns whatever happened, failure included. */
    public ProcessRunner.Result run(List<String> args) {
        return run(args, null);
    }

    public ProcessRunner.Result run(List<String> args, byte[] stdin) {
        return tool.run(home, args, stdin);
    }

    /** {@code --plain-http} for an HTTP registry, {@code --ca-file <test CA>} for a TLS one. */
    public static List<String> connectionFlags(RegistryFixture registry) {
        return registry.isTls() ? List.of("--ca-file", registry.caFile().toString()) : List.of("--plain-http");
    }

    /** {@code helm registry login} with the password on stdin; fails the test if it fails. */
    public void login(RegistryFixture registry, String username, String password) {
        tryLogin(registry, username, password).orThrow();
    }

    public ProcessRunner.Result tryLogin(RegistryFixture registry, String username, String password) {
        List<String> args = new ArrayList<>(
                List.of("registry", "login", registry.host(), "--username", username, "--password-stdin"));
        args.addAll(connectionFlags(registry));
        return run(args, password.getBytes(StandardCharsets.UTF_8));
    }

    public void logout(RegistryFixture registry) {
        run(List.of("registry", "logout", registry.host())).orThrow();
    }

    /** {@code helm push <chart.tgz> oci://host/<namespace>}; helm appends the chart name and version tag. */
    public Pushed push(RegistryFixture registry, Path chartTgz, String namespace) {
        ProcessRunner.Result result = tryPush(registry, chartTgz, namespace).orThrow();
        String output = result.stdout() + "\n" + result.stderr();
        Matcher pushed = Pattern.compile("(?m)^Pushed: (\\S+)$").matcher(output);
        Matcher digest = DIGEST.matcher(output);
        if (!pushed.find() || !digest.find()) {
            throw new IllegalStateException("unexpected helm push output:\n" + output);
        }
        return new Pushed(pushed.group(1), digest.group(1), result);
    }

    public ProcessRunner.Result tryPush(RegistryFixture registry, Path chartTgz, String namespace) {
        List<String> args = new ArrayList<>(List.of("push", chartTgz.toString(), registry.ociUrl(namespace)));
        args.addAll(connectionFlags(registry));
        return run(args);
    }

    /**
     * {@code helm pull oci://host/<chartPath> [--version v] -d destDir}; returns the .tgz written.
     * {@code version} may be null (latest semver tag) or a constraint.
     */
    public Path pull(RegistryFixture registry, String chartPath, String version, Path destDir) {
        Set<Path> before = tgzFiles(destDir);
        ProcessRunner.Result result =
                tryPull(registry, chartPath, version, destDir).orThrow();
        List<Path> after =
                tgzFiles(destDir).stream().filter(p -> !before.contains(p)).toList();
        if (after.size() == 1) {
            return after.get(0);
        }
        // Same file name pulled again: the newest one.
        return tgzFiles(destDir).stream()
                .max(Comparator.comparing(HelmCli::modified))
                .orElseThrow(
                        () -> new IllegalStateException("helm pull wrote no .tgz into " + destDir + ":\n" + result));
    }

    public ProcessRunner.Result tryPull(RegistryFixture registry, String chartPath, String version, Path destDir) {
        try {
            Files.createDirectories(destDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of("pull", registry.ociUrl(chartPath), "-d", destDir.toString()));
        if (version != null) {
            args.addAll(List.of("--version", version));
        }
        args.addAll(connectionFlags(registry));
        return run(args);
    }

    private static Set<Path> tgzFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".tgz")).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
