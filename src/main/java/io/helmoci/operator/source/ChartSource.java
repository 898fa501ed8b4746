package io.helmoci.operator.source;

import io.helmoci.engine.EngineException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the operator needs from a registry and from the local chart store. The engine
 * implements it in production and integration tests; reconciler unit tests use a fake. Failures
 * are {@link EngineException}s with a stable reason.
 */
public interface ChartSource {

    /** Resolves version, tag and manifest without downloading the chart archive (one HEAD when nothing changed). */
    ResolvedChart resolve(ChartRequest request);

    /**
     * Downloads (unless already stored), verifies and validates exactly the manifest that
     * {@code resolved} names, so what was checked is what is served.
     */
    StoredChart pull(ChartRequest request, ResolvedChart resolved);

    /** The stored archive with this digest and size, verified again, if this replica has it. */
    Optional<Path> stored(String contentDigest, long size);

    /** Deletes the stored archive; true if there was one. */
    boolean remove(String contentDigest);

    /** Every blob in the local store: archives, manifests and configs. */
    List<StoredBlob> storedBlobs();

    /** The given manifest digests plus every stored blob they reference (configs, layers, an index's manifests). */
    Set<String> storedClosure(Collection<String> manifestDigests);

    /** Deletes the blob unless it was used at or after {@code cutoff}; true if it was deleted. */
    boolean removeIfUnusedSince(String digest, Instant cutoff);
}
