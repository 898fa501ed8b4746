package io.helmoci.operator.source;

import io.helmoci.operator.api.v1alpha1.ChartInfo;
import java.util.List;

/**
 * What a chart request resolved to, before the archive is downloaded: enough to pull exactly that
 * archive later without resolving again.
 *
 * @param version           the chart version
 * @param tag               the registry tag, null when resolved by digest only
 * @param manifestDigest    the digest the tag points to (pin this)
 * @param chartLayer        the chart archive's descriptor, from the manifest the tag named
 * @param chart             Chart.yaml metadata from the config blob
 * @param availableVersions newest first, a few; empty when no tag list was needed
 * @param warnings          problems that did not stop the resolution
 */
public record ResolvedChart(
        String version,
        String tag,
        String manifestDigest,
        ChartLayer chartLayer,
        ChartInfo chart,
        List<String> availableVersions,
        List<String> warnings) {
    public ResolvedChart {
        availableVersions = availableVersions == null ? List.of() : List.copyOf(availableVersions);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** The chart archive's digest. */
    public String contentDigest() {
        return chartLayer.digest();
    }

    /** The chart archive's size in bytes. */
    public long size() {
        return chartLayer.size();
    }
}
