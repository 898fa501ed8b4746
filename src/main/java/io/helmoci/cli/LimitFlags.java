package io.helmoci.cli;

import io.helmoci.engine.chart.ChartLimits;
import picocli.CommandLine.Option;

/** The size limits of the engine as flags; messages about a crossed limit name the flag that raises it. */
final class LimitFlags {
    private static final ChartLimits DEFAULTS = ChartLimits.defaults();

    @Option(
            names = "--max-archive-bytes",
            paramLabel = "BYTES",
            description = "Largest chart archive (.tgz) accepted (default: ${DEFAULT-VALUE}).")
    long maxArchiveBytes = DEFAULTS.maxArchiveBytes();

    @Option(
            names = "--max-file-bytes",
            paramLabel = "BYTES",
            description = "Largest decompressed file in a chart (default: ${DEFAULT-VALUE}, as Helm).")
    long maxFileBytes = DEFAULTS.maxFileBytes();

    @Option(
            names = "--max-total-bytes",
            paramLabel = "BYTES",
            description = "Largest decompressed chart (default: ${DEFAULT-VALUE}, as Helm).")
    long maxTotalBytes = DEFAULTS.maxTotalBytes();

    @Option(
            names = "--max-entries",
            paramLabel = "N",
            description = "Most files and directories in a chart archive (default: ${DEFAULT-VALUE}).")
    int maxEntries = DEFAULTS.maxEntries();

    @Option(
            names = "--max-tags",
            paramLabel = "N",
            description = "Most tags read from a repository's tag list, over all pages (default: ${DEFAULT-VALUE}).")
    int maxTags = DEFAULTS.maxTags();

    @Option(
            names = "--max-tag-list-bytes",
            paramLabel = "BYTES",
            description = "Most bytes read from a repository's tag list, over all pages (default: ${DEFAULT-VALUE}).")
    long maxTagListBytes = DEFAULTS.maxTagListBytes();

    /** @throws IllegalArgumentException for a limit that is not positive */
    ChartLimits toLimits() {
        return new ChartLimits(
                maxArchiveBytes,
                maxFileBytes,
                maxTotalBytes,
                maxEntries,
                maxTags,
                maxTagListBytes,
                ChartLimits.CLI_FLAGS);
    }
}
