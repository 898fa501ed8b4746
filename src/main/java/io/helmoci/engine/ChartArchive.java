package io.helmoci.engine;

import io.helmoci.engine.chart.ChartMetadata;
import java.nio.file.Path;

/**
 * A verified and validated chart archive in the content store.
 *
 * @param contentDigest the archive's digest (the chart layer's)
 * @param size          the archive's size in bytes
 * @param path          the archive in the content store; read-only, shared: copy it before changing it
 * @param chart         the metadata read from the archive's Chart.yaml
 */
public record ChartArchive(String contentDigest, long size, Path path, ChartMetadata chart) {}
