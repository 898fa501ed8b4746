package io.helmoci.operator.source;

/**
 * The descriptor of a chart archive in its manifest: what to download and what it must hash to.
 *
 * @param digest    sha256:<hex> of the archive
 * @param size      bytes
 * @param mediaType the layer's media type; null when not known (an archive published earlier)
 */
public record ChartLayer(String digest, long size, String mediaType) {}
