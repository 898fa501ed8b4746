package io.helmoci.engine.registry;

import java.util.Map;
import java.util.Objects;

/**
 * An OCI content descriptor: what a manifest says about a blob or a child manifest.
 *
 * @param artifactType only set on image index entries and OCI 1.1 manifests; may be null
 * @param annotations  never null
 */
public record Descriptor(
        String mediaType, String digest, long size, String artifactType, Map<String, String> annotations) {
    public Descriptor {
        Objects.requireNonNull(digest, "digest");
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, null, Map.of());
    }

    public Digest parsedDigest() {
        return Digest.parse(digest, "descriptor of " + (mediaType == null ? "content" : mediaType));
    }
}
