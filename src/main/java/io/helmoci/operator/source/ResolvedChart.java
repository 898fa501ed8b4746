package io.helmoci.operator.source;

import io.helmoci.operator.api.v1alpha1.ChartInfo;

import java.util.List;

/**
 * What a chart request resolved to, before the archive is downloaded.
 *
 * @param version           the chart version
 * @param tag               the registry tag, null when resolved by digest only
 * @param manifestDigest    the digest the tag points to (pin this)
 * @param contentDigest     the chart archive's digest, from the manifest's chart layer
 * @param size              the chart archive's size, from the manifest
 * @param chart             Chart.yaml metadata from the config blob
 * @param availableVersions newest first, a few; empty when no tag list was needed
 * @param warnings          problems that did not stop the resolution
 */
public record ResolvedChart(String version, String tag, String manifestDigest, String contentDigest, long size,
                            ChartInfo chart, List<String> availableVersions, List<String> warnings) {
    public ResolvedChart {
        availableVersions = availableVersions == null ? List.of() : List.copyOf(availableVersions);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
