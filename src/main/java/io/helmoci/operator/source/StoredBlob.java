package io.helmoci.operator.source;

import java.time.Instant;

/**
 * A blob (chart archive, manifest or config) in the local store.
 *
 * @param digest   algorithm:hex
 * @param size     bytes
 * @param lastUsed when it was last written, or found by a reconciliation or the artifact server
 */
public record StoredBlob(String digest, long size, Instant lastUsed) {}
