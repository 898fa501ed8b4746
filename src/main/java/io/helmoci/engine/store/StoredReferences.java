package io.helmoci.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.registry.Digest;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The mark phase of garbage collection over a {@link ContentStore}: what stored manifests and
 * indexes reference, followed as far as the store holds them. Reads the store only; knows nothing
 * of registries or pulls.
 */
public final class StoredReferences {
    /** Manifests and indexes larger than this are not followed (the registry client reads no larger ones either). */
    static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a manifest or index references: child manifests (of an index) and blobs (config and layers). */
    public record References(List<String> manifests, List<String> blobs) {
        static final References NONE = new References(List.of(), List.of());
    }

    private StoredReferences() {}

    /**
     * The given manifests and the blobs they reference (an index's manifests, each manifest's config
     * and layers), followed as far as the store holds the manifests: what serving them needs.
     */
    public static Set<String> closure(ContentStore store, Collection<String> manifestDigests) {
        Set<String> closure = new HashSet<>();
        Deque<String> manifests = new ArrayDeque<>(manifestDigests);
        while (!manifests.isEmpty()) {
            String text = manifests.pop();
            Digest digest = Digest.parseOrNull(text);
            if (digest == null || !closure.add(text)) {
                continue;
            }
            store.readSmall(digest, -1, MAX_MANIFEST_BYTES)
                    .map(StoredReferences::of)
                    .ifPresent(references -> {
                        manifests.addAll(references.manifests());
                        closure.addAll(references.blobs());
                    });
        }
        return closure;
    }

    /** The digests a manifest or index names; nothing for content that is not a JSON manifest. */
    public static References of(byte[] content) {
        JsonNode json;
        try {
            json = JSON.readTree(content);
        } catch (IOException e) {
            return References.NONE;
        }
        if (json == null || !json.isObject()) {
            return References.NONE;
        }
        List<String> manifests = new ArrayList<>();
        json.path("manifests").forEach(child -> addDigest(manifests, child));
        List<String> blobs = new ArrayList<>();
        addDigest(blobs, json.path("config"));
        json.path("layers").forEach(layer -> addDigest(blobs, layer));
        return new References(manifests, blobs);
    }

    private static void addDigest(List<String> into, JsonNode descriptor) {
        String digest = descriptor.path("digest").asText("");
        if (Digest.parseOrNull(digest) != null) {
            into.add(digest);
        }
    }
}
