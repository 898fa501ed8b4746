package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds manifest and index JSON bodies, byte for byte as given (no re-ordering, no extra fields). */
public final class OciManifests {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    public static final String HELM_PROVENANCE = "application/vnd.cncf.helm.chart.provenance.v1.prov";
    public static final String HELM_LEGACY_CHART = "application/tar+gzip";
    public static final String OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciManifests() {}

    /**
     * An image manifest. {@code mediaType} null leaves the field out, as helm push does (the type then
     * travels only in the PUT Content-Type); {@code artifactType} null leaves it out too.
     */
    public static byte[] manifest(
            String mediaType,
            String artifactType,
            Descriptor config,
            List<Descriptor> layers,
            Map<String, String> annotations) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schemaVersion", 2);
        if (mediaType != null) {
            json.put("mediaType", mediaType);
        }
        if (artifactType != null) {
            json.put("artifactType", artifactType);
        }
        json.put("config", config.toJson());
        json.put("layers", layers.stream().map(Descriptor::toJson).toList());
        if (annotations != null && !annotations.isEmpty()) {
            json.put("annotations", annotations);
        }
        return write(json);
    }

    /** An image index (or Docker manifest list, with that media type) over the given manifests. */
    public static byte[] index(String mediaType, List<Descriptor> manifests, Map<String, String> annotations) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schemaVersion", 2);
        json.put("mediaType", mediaType);
        json.put("manifests", manifests.stream().map(Descriptor::toJson).toList());
        if (annotations != null && !annotations.isEmpty()) {
            json.put("annotations", annotations);
        }
        return write(json);
    }

    private static byte[] write(Map<String, Object> json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
