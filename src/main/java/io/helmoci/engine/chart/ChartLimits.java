package io.helmoci.engine.chart;

import java.util.Locale;

/**
 * Size limits for a chart and its tag list, checked while they stream so that a hostile archive (a
 * gzip bomb, millions of empty entries) or an endless tag list stops at the limit instead of
 * filling memory or disk.
 *
 * @param maxArchiveBytes compressed size of the {@code .tgz} (the chart layer)
 * @param maxFileBytes    decompressed size of any one file in the archive
 * @param maxTotalBytes   decompressed size of all files together, subchart archives included
 * @param maxEntries      number of tar entries (files and directories), subchart archives included
 * @param maxTags         tags in a repository's tag list, over all its pages
 * @param maxTagListBytes bytes of a repository's tag list, over all its pages
 * @param settingStyle    how messages name a limit so the user can raise it: {@link #GENERIC} (the
 *                        component name), {@link #CLI_FLAGS} ({@code --max-archive-bytes}) or
 *                        {@link #OPERATOR_SETTINGS} ({@code helmoci.limits.max-archive-bytes})
 */
public record ChartLimits(
        long maxArchiveBytes,
        long maxFileBytes,
        long maxTotalBytes,
        int maxEntries,
        int maxTags,
        long maxTagListBytes,
        String settingStyle) {
    public static final String GENERIC = "generic";
    public static final String CLI_FLAGS = "cli";
    public static final String OPERATOR_SETTINGS = "operator";
    private static final long MIB = 1024 * 1024;
    /**
     * 50,000 tags: chart repositories have tens to a few thousand versions; the semver tags kept take
     * a few MiB at most.
     */
    public static final int DEFAULT_MAX_TAGS = 50_000;
    /** 16 MiB: four full pages at the per-page cap of 4 MiB. */
    public static final long DEFAULT_MAX_TAG_LIST_BYTES = 16 * MIB;

    public ChartLimits {
        if (maxArchiveBytes <= 0
                || maxFileBytes <= 0
                || maxTotalBytes <= 0
                || maxEntries <= 0
                || maxTags <= 0
                || maxTagListBytes <= 0) {
            throw new IllegalArgumentException("chart limits must be positive: " + maxArchiveBytes + ", " + maxFileBytes
                    + ", " + maxTotalBytes + ", " + maxEntries + ", " + maxTags + ", " + maxTagListBytes);
        }
        if (!GENERIC.equals(settingStyle)
                && !CLI_FLAGS.equals(settingStyle)
                && !OPERATOR_SETTINGS.equals(settingStyle)) {
            throw new IllegalArgumentException("unknown setting style " + settingStyle);
        }
    }

    /** Archive limits as given, tag-list limits at their defaults. */
    public ChartLimits(long maxArchiveBytes, long maxFileBytes, long maxTotalBytes, int maxEntries) {
        this(
                maxArchiveBytes,
                maxFileBytes,
                maxTotalBytes,
                maxEntries,
                DEFAULT_MAX_TAGS,
                DEFAULT_MAX_TAG_LIST_BYTES,
                GENERIC);
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
     * <li>tag lists: {@value #DEFAULT_MAX_TAGS} tags and 16 MiB over all pages.</li>
     * </ul>
     */
    public static ChartLimits defaults() {
        return new ChartLimits(20 * MIB, 5 * MIB, 100 * MIB, 10_000);
    }

    /** The same limits, named in messages as {@code style} names them. */
    public ChartLimits namedAs(String style) {
        return new ChartLimits(
                maxArchiveBytes, maxFileBytes, maxTotalBytes, maxEntries, maxTags, maxTagListBytes, style);
    }

    /**
     * How the user raises the limit called {@code component} (a component name such as
     * {@code maxArchiveBytes}) where this engine runs: {@code --max-archive-bytes} for the CLI,
     * {@code helmoci.limits.max-archive-bytes (HELMOCI_LIMITS_MAX_ARCHIVE_BYTES)} for the operator.
     */
    public String setting(String component) {
        String kebab = component.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
        return switch (settingStyle) {
            case CLI_FLAGS -> "--" + kebab;
            case OPERATOR_SETTINGS ->
                "the operator setting helmoci.limits." + kebab + " (env HELMOCI_LIMITS_"
                        + kebab.replace('-', '_').toUpperCase(Locale.ROOT) + ")";
            default -> component;
        };
    }
}
