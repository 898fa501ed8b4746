package io.helmoci.operator.source;

import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.Digest;
import io.helmoci.engine.store.ContentStore;
import io.helmoci.engine.store.StoredReferences;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@link ArtifactStore} backed by the engine's {@link ContentStore} (the one its puller writes to). A thin mapping. */
public record EngineArtifactStore(ContentStore store) implements ArtifactStore {
    @Override
    public Optional<Path> stored(String contentDigest, long size) {
        return store.find(new Descriptor(null, contentDigest, size));
    }

    @Override
    public boolean remove(String contentDigest) {
        return store.remove(Digest.parse(contentDigest, "artifact"));
    }

    @Override
    public List<StoredBlob> storedBlobs() {
        return store.list().stream()
                .map(blob -> new StoredBlob(blob.digest().toString(), blob.size(), blob.lastUsed()))
                .toList();
    }

    @Override
    public Set<String> storedClosure(Collection<String> manifestDigests) {
        return StoredReferences.closure(store, manifestDigests);
    }

    @Override
    public boolean removeIfUnusedSince(String digest, Instant cutoff) {
        return store.removeIfUnusedSince(Digest.parse(digest, "blob"), cutoff);
    }
}
