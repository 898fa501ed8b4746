package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Descriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an OCI image manifest (or image index) that signatures are found in: artifact type,
 * config, layers (index: manifests), subject and annotations.
 */
record ArtifactManifest(
        String digest,
        String mediaType,
        String artifactType,
        Descriptor config,
        List<Descriptor> layers,
        Descriptor subject,
        Map<String, String> annotations) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ArtifactManifest parse(String digest, byte[] bytes, String what) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new EngineException(
                    Reason.SignatureInvalid, what + " (" + digest + ") is not JSON. Sign the chart again.");
        }
        if (root == null || !root.isObject()) {
            throw new EngineException(
                    Reason.SignatureInvalid, what + " (" + digest + ") is not a JSON object. Sign the chart again.");
        }
        List<Descriptor> layers = new ArrayList<>();
        JsonNode children = root.has("manifests") ? root.get("manifests") : root.path("layers");
        for (JsonNode layer : children) {
            layers.add(descriptor(layer));
        }
        return new ArtifactManifest(
                digest,
                text(root, "mediaType"),
                text(root, "artifactType"),
                root.hasNonNull("config") ? descriptor(root.get("config")) : null,
                layers,
                root.hasNonNull("subject") ? descriptor(root.get("subject")) : null,
                annotations(root));
    }

    static Descriptor descriptor(JsonNode node) {
        String digest = text(node, "digest");
        if (digest == null) {
            throw new EngineException(
                    Reason.SignatureInvalid,
                    "A signature manifest has a descriptor without a digest. Sign the chart again.");
        }
        return new Descriptor(
                text(node, "mediaType"),
                digest,
                node.path("size").asLong(-1),
                text(node, "artifactType"),
                annotations(node));
    }

    private static Map<String, String> annotations(JsonNode node) {
        Map<String, String> annotations = new LinkedHashMap<>();
        node.path("annotations")
                .fields()
                .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        return annotations;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
