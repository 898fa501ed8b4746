package io.helmoci.engine.registry;

import io.helmoci.engine.chart.ChartMetadata;
import java.util.List;

/**
 * A resolved Helm chart artifact, everything but the chart archive itself.
 *
 * @param digest              digest of what the tag (or digest) points to: the manifest, or the image index wrapping it
 * @param mediaType           media type of that manifest or index
 * @param chartManifestDigest digest of the chart's image manifest (equal to {@code digest} unless an index wraps it)
 * @param config              the config blob descriptor
 * @param layers              every layer of the chart manifest, in manifest order
 * @param chartLayer          the chart archive layer
 * @param chart               the metadata parsed from the config blob
 * @param warnings            things the user should fix that did not stop the resolution
 */
public record ChartManifest(
        String digest,
        String mediaType,
        String chartManifestDigest,
        Descriptor config,
        List<Descriptor> layers,
        Descriptor chartLayer,
        ChartMetadata chart,
        List<String> warnings) {
    public ChartManifest {
        layers = List.copyOf(layers);
        warnings = List.copyOf(warnings);
    }

    public List<String> layerMediaTypes() {
        return layers.stream().map(Descriptor::mediaType).toList();
    }
}
