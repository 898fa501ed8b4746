package io.helmoci.operator.flux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.artifacts.ArtifactUrls;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a HelmOciChart maps onto Flux's {@code ExternalArtifact} (source.toolkit.fluxcd.io/v1, RFC-0012),
 * which Flux's helm-controller installs from ({@code chartRef: {kind: ExternalArtifact}}): same name
 * and namespace, owned (controller) by the HelmOciChart, {@code spec.sourceRef} pointing back, and
 * the served archive as {@code status.artifact} with the revision {@code <version>@sha256:<manifest
 * digest>} (the form helm-controller checks against the chart version and appends to it, so a
 * moved tag shows as a new release revision). Pure mapping, no client.
 */
public final class ExternalArtifacts {
    public static final String GROUP = "source.toolkit.fluxcd.io";
    public static final String API_VERSION = GROUP + "/v1";
    public static final String KIND = "ExternalArtifact";
    public static final String PLURAL = "externalartifacts";
    /** Marks the ExternalArtifacts this operator maintains. */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    /** The CRD's limit on a condition message. */
    static final int MAX_MESSAGE_LENGTH = 32768;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExternalArtifacts() {}

    /** Whether {@code resource} asks for an ExternalArtifact: its spec.externalArtifact, else the operator setting. */
    public static boolean wanted(HelmOciChart resource, boolean forAll) {
        Boolean own = resource.getSpec() == null ? null : resource.getSpec().getExternalArtifact();
        return own != null ? own : forAll;
    }

    /** The object without status: metadata (owner, label) and spec.sourceRef. */
    public static GenericKubernetesResource desiredObject(HelmOciChart resource) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setApiVersion(API_VERSION);
        object.setKind(KIND);
        object.setMetadata(new ObjectMetaBuilder()
                .withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .withLabels(Map.of(MANAGED_BY_LABEL, Constants.FIELD_MANAGER))
                .withOwnerReferences(ownerReference(resource))
                .build());
        Map<String, Object> sourceRef = new LinkedHashMap<>();
        sourceRef.put("apiVersion", Constants.GROUP + "/" + Constants.VERSION);
        sourceRef.put("kind", Constants.KIND);
        sourceRef.put("name", resource.getMetadata().getName());
        sourceRef.put("namespace", resource.getMetadata().getNamespace());
        object.setAdditionalProperty("spec", Map.of("sourceRef", sourceRef));
        return object;
    }

    /**
     * The status subresource: the artifact (absent until the HelmOciChart has served one) and the
     * HelmOciChart's Ready condition, copied.
     */
    public static GenericKubernetesResource desiredStatus(HelmOciChart resource, HelmOciChartStatus status) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setApiVersion(API_VERSION);
        object.setKind(KIND);
        object.setMetadata(new ObjectMetaBuilder()
                .withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .build());
        Map<String, Object> fluxStatus = new LinkedHashMap<>();
        artifact(status).ifPresent(artifact -> fluxStatus.put("artifact", artifact));
        fluxStatus.put("conditions", readyCondition(status).map(List::of).orElse(List.of()));
        object.setAdditionalProperty("status", fluxStatus);
        return object;
    }

    /** The controller owner reference to the HelmOciChart (garbage collection deletes the ExternalArtifact with it). */
    public static OwnerReference ownerReference(HelmOciChart resource) {
        return new OwnerReferenceBuilder()
                .withApiVersion(Constants.GROUP + "/" + Constants.VERSION)
                .withKind(Constants.KIND)
                .withName(resource.getMetadata().getName())
                .withUid(resource.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Whether {@code existing} is controlled by {@code resource} (same UID). */
    public static boolean ownedBy(GenericKubernetesResource existing, HelmOciChart resource) {
        return existing.getMetadata().getOwnerReferences() != null
                && existing.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> Boolean.TRUE.equals(ref.getController())
                                && Constants.KIND.equals(ref.getKind())
                                && Objects.equals(
                                        ref.getUid(), resource.getMetadata().getUid()));
    }

    /**
     * Whether {@code existing} already carries what {@code desired} would write, so nothing needs to
     * be applied: owner, label, spec and the status fields this operator sets.
     */
    public static boolean upToDate(
            GenericKubernetesResource existing,
            GenericKubernetesResource desiredObject,
            GenericKubernetesResource desiredStatus) {
        if (!ownedByTheSame(existing, desiredObject)
                || existing.getMetadata().getLabels() == null
                || !Constants.FIELD_MANAGER.equals(
                        existing.getMetadata().getLabels().get(MANAGED_BY_LABEL))) {
            return false;
        }
        JsonNode have = JSON.valueToTree(existing.getAdditionalProperties());
        JsonNode want = JSON.valueToTree(desiredObject.getAdditionalProperties());
        JsonNode wantStatus = JSON.valueToTree(desiredStatus.getAdditionalProperties());
        return have.path("spec").equals(want.path("spec"))
                && have.path("status")
                        .path("artifact")
                        .equals(wantStatus.path("status").path("artifact"))
                && conditionsEqual(
                        have.path("status").path("conditions"),
                        wantStatus.path("status").path("conditions"));
    }

    private static boolean ownedByTheSame(GenericKubernetesResource existing, GenericKubernetesResource desired) {
        OwnerReference want = desired.getMetadata().getOwnerReferences().get(0);
        return existing.getMetadata().getOwnerReferences() != null
                && existing.getMetadata().getOwnerReferences().stream()
                        .anyMatch(ref -> Objects.equals(ref.getUid(), want.getUid())
                                && Boolean.TRUE.equals(ref.getController()));
    }

    /** Conditions compared without the fields the API server may add (observedGeneration). */
    private static boolean conditionsEqual(JsonNode have, JsonNode want) {
        if (!have.isArray() || have.size() != want.size()) {
            return !have.isArray() && want.isArray() && want.isEmpty();
        }
        for (int i = 0; i < want.size(); i++) {
            ObjectNode haveCondition = ((ArrayNode) have).get(i).deepCopy();
            haveCondition.remove("observedGeneration");
            if (!haveCondition.equals(want.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * status.artifact, when the HelmOciChart serves one: its URL, digest, size and lastUpdateTime, the
     * revision {@code <version>@<manifest digest>}, and the path the URL names under /artifacts/.
     */
    static Optional<Map<String, Object>> artifact(HelmOciChartStatus status) {
        if (status == null) {
            return Optional.empty();
        }
        Artifact served = status.getArtifact();
        if (served == null
                || served.getUrl() == null
                || served.getDigest() == null
                || status.getResolvedVersion() == null
                || status.getManifestDigest() == null) {
            return Optional.empty();
        }
        Map<String, Object> artifact = new LinkedHashMap<>();
        artifact.put("url", served.getUrl());
        artifact.put("digest", served.getDigest());
        if (served.getSize() != null) {
            artifact.put("size", served.getSize());
        }
        artifact.put("revision", revision(status.getResolvedVersion(), status.getManifestDigest()));
        artifact.put("lastUpdateTime", served.getLastUpdateTime());
        artifact.put("path", path(served.getUrl()));
        return Optional.of(artifact);
    }

    /** {@code <version>@sha256:<hex>}: the form of Flux's OCIRepository revisions, which helm-controller parses. */
    static String revision(String version, String manifestDigest) {
        return version + "@" + manifestDigest;
    }

    /** The archive's path below the artifact server's /artifacts/ (the CRD requires a path; Flux reads the URL). */
    static String path(String url) {
        String path = URI.create(url).getPath();
        String prefix = ArtifactUrls.ARTIFACTS + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : path.replaceFirst("^/", "");
    }

    private static Optional<Map<String, Object>> readyCondition(HelmOciChartStatus status) {
        if (status == null || status.getConditions() == null) {
            return Optional.empty();
        }
        return status.getConditions().stream()
                .filter(c -> Constants.CONDITION_READY.equals(c.getType()))
                .findFirst()
                .map(ExternalArtifacts::asMap);
    }

    private static Map<String, Object> asMap(Condition ready) {
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", Constants.CONDITION_READY);
        condition.put("status", ready.getStatus());
        condition.put("reason", ready.getReason());
        String message = ready.getMessage() == null ? "" : ready.getMessage();
        condition.put(
                "message", message.length() > MAX_MESSAGE_LENGTH ? message.substring(0, MAX_MESSAGE_LENGTH) : message);
        condition.put("lastTransitionTime", ready.getLastTransitionTime());
        return condition;
    }
}
