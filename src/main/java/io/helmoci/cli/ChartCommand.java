package io.helmoci.cli;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.reference.OciReference;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What inspect and pull share: the chart reference, version selection, registry flags and output format. */
abstract class ChartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "REF",
            description = "Chart reference: oci://host[:port]/path/name[:tag][@sha256:digest]")
    String reference;

    @Option(
            names = "--version",
            paramLabel = "VERSION",
            description =
                    "Exact version or semver range (Helm syntax: ^1.2, ~1.2.3, >=1.0 <2.0, 1.2.x). Default: the newest stable version.")
    String version;

    @Option(names = "--devel", description = "Also consider prerelease versions (as helm's --devel).")
    boolean devel;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    HelmOciCli.Output output = HelmOciCli.Output.text;

    @Option(
            names = "--cache-dir",
            paramLabel = "DIR",
            description =
                    "Content-addressed cache of verified charts (default: $XDG_CACHE_HOME/helm-oci or ~/.cache/helm-oci).")
    Path cacheDir;

    @Mixin
    RegistryFlags registry;

    @Mixin
    LimitFlags limits;

    @ParentCommand
    HelmOciCli cli;

    PullRequest request(String digest) {
        OciReference ref = OciReference.parse(reference);
        return new PullRequest(ref, version, digest, devel, registry.toOptions(ref, cli.stdin, cli.environment));
    }

    /**
     * The newest versions to show. The engine lists tags only when it must (a range); for an exact
     * version or a digest the command lists them once more, since a person asked to see them.
     */
    static List<String> availableVersions(ChartPuller puller, PullRequest request, Resolution resolution) {
        return resolution.availableVersions().isEmpty()
                ? puller.availableVersions(request)
                : resolution.availableVersions();
    }

    /** The engine over the cache, with the limits of the flags. */
    ChartPuller puller() {
        try {
            return Engine.puller(cacheDir(), limits.toLimits());
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "the size limits must be positive: " + e.getMessage());
        }
    }

    Path cacheDir() {
        if (cacheDir != null) {
            return cacheDir;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank()
                ? Path.of(xdg, "helm-oci")
                : Path.of(System.getProperty("user.home"), ".cache", "helm-oci");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
