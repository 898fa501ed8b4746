package io.helmoci.cli;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.Resolution;
import picocli.CommandLine.Command;

@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Resolve a chart (version, manifest, config) without downloading its content layer.")
final class InspectCommand extends ChartCommand {
    @Override
    public Integer call() {
        try (ChartPuller puller = puller()) {
            PullRequest request = request(null);
            Resolution resolution = puller.inspect(request);
            ResultPrinter.inspected(resolution, availableVersions(puller, request, resolution), output, out());
        }
        return HelmOciCli.EXIT_OK;
    }
}
