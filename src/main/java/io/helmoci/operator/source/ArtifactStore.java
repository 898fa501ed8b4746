package io.helmoci.operator.source;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * This replica's local store of verified blobs (chart archives, manifests, configs): what is
 * served, and what garbage collection sweeps. No registry request is made through it.
 */
public interface ArtifactStore {

    /** The stored archive with this digest and size, verified again, if this replica has it. */
    Optional<Path> stored(String contentDigest, long size);

    /** Deletes the stored archive; true if there was one. */
    boolean remove(String contentDigest);

    /** Every blob in the store: archives, manifests and configs. */
    List<StoredBlob> storedBlobs();

    /** The given manifest digests plus every stored blob they reference (configs, layers, an index's manifests). */
    Set<String> storedClosure(Collection<String> manifestDigests);

    /** Deletes the blob unless it was used at or after {@code cutoff}; true if it was deleted. */
    boolean removeIfUnusedSince(String digest, Instant cutoff);
}
