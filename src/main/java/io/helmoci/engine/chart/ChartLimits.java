package io.helmoci.engine.chart;

/**
 * Size limits for a chart archive, checked while it streams so that a hostile archive (a gzip
 * bomb, millions of empty entries) stops at the limit instead of filling memory or disk.
 *
 * @param maxArchiveBytes compressed size of the {@code .tgz} (the chart layer)
 * @param maxFileBytes    decompressed size of any one file in the archive
 * @param maxTotalBytes   decompressed size of all files together, subchart archives included
 * @param maxEntries      number of tar entries (files and directories), subchart archives included
 */
public record ChartLimits(long maxArchiveBytes, long maxFileBytes, long maxTotalBytes, int maxEntries) {
    private static final long MIB = 1024 * 1024;

    public ChartLimits {
        if (maxArchiveBytes <= 0 || maxFileBytes <= 0 || maxTotalBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("chart limits must be positive: " + maxArchiveBytes + ", " + maxFileBytes
                    + ", " + maxTotalBytes + ", " + maxEntries);
        }
    }

    /**
     * Helm's own decompressed limits (since 3.17.3: {@code MaxDecompressedFileSize} 5 MiB per file,
     * {@code MaxDecompressedChartSize} 100 MiB in total), so every chart Helm can load passes.
     * Helm has no compressed or entry limit; ours are:
     * <ul>
     * <li>20 MiB compressed: chart text compresses 5-10 times, so 20 MiB covers a chart of text up to
     * Helm's 100 MiB decompressed limit, while typical charts are tens of KiB to a few MiB.</li>
     * <li>10,000 entries: large charts with all their subcharts have a few thousand files; the cap
     * bounds the work an archive of empty entries can cause, which byte limits do not count.</li>
     * </ul>
     */
    public static ChartLimits defaults() {
        return new ChartLimits(20 * MIB, 5 * MIB, 100 * MIB, 10_000);
    }
}
