package io.helmoci.testbed;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An OCI content descriptor. {@code annotations}, {@code artifactType} and {@code platform} are
 * optional (null or empty are left out of the JSON).
 */
public record Descriptor(
        String mediaType,
        String digest,
        long size,
        String artifactType,
        Map<String, String> platform,
        Map<String, String> annotations) {

    public Descriptor(String mediaType, String digest, long size) {
        this(mediaType, digest, size, null, Map.of(), Map.of());
    }

    public static Descriptor of(String mediaType, byte[] content) {
        return new Descriptor(mediaType, Digests.sha256(content), content.length);
    }

    public Descriptor withMediaType(String type) {
        return new Descriptor(type, digest, size, artifactType, platform, annotations);
    }

    /** A descriptor lying about the size, to test clients that must check it. */
    public Descriptor withSize(long claimedSize) {
        return new Descriptor(mediaType, digest, claimedSize, artifactType, platform, annotations);
    }

    public Descriptor withArtifactType(String type) {
        return new Descriptor(mediaType, digest, size, type, platform, annotations);
    }

    public Descriptor withPlatform(String os, String architecture) {
        return new Descriptor(
                mediaType, digest, size, artifactType, Map.of("os", os, "architecture", architecture), annotations);
    }

    public Descriptor withAnnotations(Map<String, String> values) {
        return new Descriptor(mediaType, digest, size, artifactType, platform, values);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mediaType", mediaType);
        json.put("digest", digest);
        json.put("size", size);
        if (artifactType != null) {
            json.put("artifactType", artifactType);
        }
        if (platform != null && !platform.isEmpty()) {
            json.put("platform", platform);
        }
        if (annotations != null && !annotations.isEmpty()) {
            json.put("annotations", annotations);
        }
        return json;
    }
}
