package io.helmoci.engine;

import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Descriptor;
import java.util.List;

/**
 * What a chart reference resolves to, without the chart archive.
 *
 * @param requested         the reference as asked
 * @param version           the chart version (from the tag, or from the config for a digest-only reference)
 * @param tag               the tag used, null for a digest-only reference
 * @param manifestDigest    digest of what the tag points to (the manifest, or the index wrapping it): pin this
 * @param manifestMediaType its media type
 * @param pinnedReference   the reference with the digest, e.g. {@code host/repo:1.2.3@sha256:...}
 * @param configMediaType   the config blob's media type
 * @param layerMediaTypes   the chart manifest's layer media types, in manifest order
 * @param chartLayer        the chart archive's descriptor
 * @param chart             the metadata from the config blob
 * @param availableVersions newest first, at most 10; empty when no tag list was needed (exact version or digest)
 * @param warnings          problems that did not stop the resolution
 */
public record Resolution(
        OciReference requested,
        String version,
        String tag,
        String manifestDigest,
        String manifestMediaType,
        String pinnedReference,
        String configMediaType,
        List<String> layerMediaTypes,
        Descriptor chartLayer,
        ChartMetadata chart,
        List<String> availableVersions,
        List<String> warnings) {
    public Resolution {
        layerMediaTypes = List.copyOf(layerMediaTypes);
        availableVersions = List.copyOf(availableVersions);
        warnings = List.copyOf(warnings);
    }
}
