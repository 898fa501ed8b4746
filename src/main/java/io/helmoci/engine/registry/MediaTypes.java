package io.helmoci.engine.registry;

import java.util.List;

/** The media types that matter for Helm charts in OCI registries (wire-format reference §1 and §3). */
public final class MediaTypes {
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    public static final String HELM_PROVENANCE = "application/vnd.cncf.helm.chart.provenance.v1.prov";
    /** Written by Helm 3.0-3.6; accepted on pull with a warning. */
    public static final String LEGACY_CHART = "application/tar+gzip";

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_ARTIFACT_MANIFEST = "application/vnd.oci.artifact.manifest.v1+json";
    public static final String OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONTAINER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /** The manifest types a registry may answer with, in the order oras-go (hence Helm) asks for them. */
    public static final List<String> MANIFEST_ACCEPT =
            List.of(DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, OCI_ARTIFACT_MANIFEST);

    private MediaTypes() {}

    /** The media type without parameters such as {@code ; charset=utf-8}, lower-cased; null stays null. */
    public static String essence(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return type.isEmpty() ? null : type.toLowerCase(java.util.Locale.ROOT);
    }

    public static boolean isContainerConfig(String mediaType) {
        return OCI_IMAGE_CONFIG.equals(mediaType) || DOCKER_CONTAINER_CONFIG.equals(mediaType);
    }
}
