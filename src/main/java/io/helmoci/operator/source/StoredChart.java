package io.helmoci.operator.source;

import java.nio.file.Path;

/**
 * A verified chart archive in the local store.
 *
 * @param contentDigest sha256:<hex> of the archive
 * @param size          bytes
 * @param path          the file; complete and verified (the store renames atomically), read-only
 */
public record StoredChart(String contentDigest, long size, Path path) {}
