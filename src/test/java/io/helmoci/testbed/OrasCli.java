package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code oras} CLI, isolated like {@link HelmCli}: its credentials live in
 * {@code <home>/config.json} ({@code --registry-config}), never in ~/.docker.
 */
public final class OrasCli {
    public static final String HELM_CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    private final Path home;
    private final IsolatedTool tool;

    public OrasCli(Path home) {
        this.home = home;
        this.tool = new IsolatedTool(
                Tools::oras,
                home,
                Map.of(
                        "HOME",
                        home.toString(),
                        "DOCKER_CONFIG",
                        home.resolve("docker").toString()));
    }

    public Path registryConfig() {
        return home.resolve("config.json");
    }

    /** Runs {@code oras <args>} in {@code workDir} (oras stores file names relative to it as titles). */
    public ProcessRunner.Result run(Path workDir, List<String> args, byte[] stdin) {
        return tool.run(workDir, args, stdin);
    }

    /** {@code --plain-http} for an HTTP registry, {@code --ca-file <test CA>} for a TLS one; plus the isolated credentials file. */
    public List<String> connectionFlags(RegistryFixture registry) {
        List<String> flags =
                new ArrayList<>(List.of("--registry-config", registryConfig().toString()));
        flags.addAll(registry.isTls() ? List.of("--ca-file", registry.caFile().toString()) : List.of("--plain-http"));
        return flags;
    }

    public void login(RegistryFixture registry, String username, String password) {
        List<String> args =
                new ArrayList<>(List.of("login", registry.host(), "--username", username, "--password-stdin"));
        args.addAll(connectionFlags(registry));
        run(home, args, password.getBytes(StandardCharsets.UTF_8)).orThrow();
    }

    /**
     * {@code oras push <host>/<reference> <flags> <files>} run in {@code workDir}; files are
     * {@code name[:mediaType]} relative to it. Returns the result, failure included.
     */
    public ProcessRunner.Result push(
            RegistryFixture registry, String reference, Path workDir, List<String> flags, String... files) {
        List<String> args = new ArrayList<>(List.of("push", registry.reference(reference)));
        args.addAll(flags);
        args.addAll(connectionFlags(registry));
        args.addAll(List.of(files));
        return run(workDir, args, null);
    }

    /**
     * Pushes a packaged chart with Helm's media types, the command documented in the wire-format
     * reference (section 8): {@code --config config.json:<helm config type> chart.tgz:<helm chart type>}.
     * The config is Chart.yaml as JSON. {@code reference} is {@code path/name:tag} ({@code _} for {@code +}).
     */
    public ProcessRunner.Result pushHelmChart(RegistryFixture registry, String reference, Path chartTgz) {
        Path workDir = chartTgz.getParent();
        try {
            Files.write(workDir.resolve("config.json"), ChartFactory.helmConfigJson(chartTgz));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return push(
                registry,
                reference,
                workDir,
                List.of("--config", "config.json:" + HELM_CONFIG_MEDIA_TYPE),
                chartTgz.getFileName() + ":" + HELM_CHART_MEDIA_TYPE);
    }
}
