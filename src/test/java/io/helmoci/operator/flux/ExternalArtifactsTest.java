package io.helmoci.operator.flux;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExternalArtifactsTest {
    static final String MANIFEST = "sha256:" + "a".repeat(64);

    @Test
    void theSpecFieldWinsOverTheOperatorSetting() {
        assertThat(ExternalArtifacts.wanted(chart(null), false)).isFalse();
        assertThat(ExternalArtifacts.wanted(chart(null), true)).isTrue();
        assertThat(ExternalArtifacts.wanted(chart(true), false)).isTrue();
        assertThat(ExternalArtifacts.wanted(chart(false), true)).isFalse();
    }

    @Test
    void theObjectIsControlledByTheHelmOciChartAndPointsBackToIt() {
        GenericKubernetesResource object = ExternalArtifacts.desiredObject(chart(true));

        assertThat(object.getApiVersion()).isEqualTo("source.toolkit.fluxcd.io/v1");
        assertThat(object.getKind()).isEqualTo("ExternalArtifact");
        assertThat(object.getMetadata().getName()).isEqualTo("podinfo");
        assertThat(object.getMetadata().getNamespace()).isEqualTo("apps");
        assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getUid()).isEqualTo("uid-1");
            assertThat(owner.getKind()).isEqualTo("HelmOciChart");
            assertThat(owner.getApiVersion()).isEqualTo("helmoci.io/v1alpha1");
            assertThat(owner.getController()).isTrue();
        });
        assertThat(object.getAdditionalProperties())
                .containsEntry(
                        "spec",
                        Map.of(
                                "sourceRef",
                                Map.of(
                                        "apiVersion", "helmoci.io/v1alpha1",
                                        "kind", "HelmOciChart",
                                        "name", "podinfo",
                                        "namespace", "apps")));
    }

    @Test
    void revisionAndPathFollowFluxsForms() {
        assertThat(ExternalArtifacts.revision("1.2.3+build.1", MANIFEST)).isEqualTo("1.2.3+build.1@" + MANIFEST);
        assertThat(ExternalArtifacts.path("http://operator.svc:8080/artifacts/apps/podinfo/podinfo-1.2.3.tgz"))
                .isEqualTo("apps/podinfo/podinfo-1.2.3.tgz");
    }

    @Test
    void anArtifactWithoutAResolvedVersionIsNotPublished() {
        HelmOciChartStatus status = servedStatus();
        status.setResolvedVersion(null);

        assertThat(ExternalArtifacts.artifact(status)).isEmpty();
        assertThat(ExternalArtifacts.artifact(servedStatus())).isPresent();
    }

    @Test
    void aLongReadyMessageIsCutToTheCrdsLimit() {
        HelmOciChartStatus status = servedStatus();
        status.getConditions().get(0).setMessage("x".repeat(ExternalArtifacts.MAX_MESSAGE_LENGTH + 10));

        assertThat(ready(ExternalArtifacts.desiredStatus(chart(true), status)).get("message"))
                .asString()
                .hasSize(ExternalArtifacts.MAX_MESSAGE_LENGTH);
    }

    @Test
    void upToDateOnlyWhenOwnerSpecArtifactAndReadyAllMatch() {
        HelmOciChart chart = chart(true);
        GenericKubernetesResource object = ExternalArtifacts.desiredObject(chart);
        GenericKubernetesResource status = ExternalArtifacts.desiredStatus(chart, servedStatus());
        GenericKubernetesResource existing = existing(object, status);
        assertThat(ExternalArtifacts.upToDate(existing, object, status)).isTrue();
        assertThat(ExternalArtifacts.ownedBy(existing, chart)).isTrue();

        HelmOciChartStatus moved = servedStatus();
        moved.setManifestDigest("sha256:" + "b".repeat(64));
        assertThat(ExternalArtifacts.upToDate(existing, object, ExternalArtifacts.desiredStatus(chart, moved)))
                .isFalse();

        HelmOciChartStatus notReady = servedStatus();
        notReady.getConditions().get(0).setStatus("False");
        assertThat(ExternalArtifacts.upToDate(existing, object, ExternalArtifacts.desiredStatus(chart, notReady)))
                .isFalse();

        HelmOciChart recreated = chart(true);
        recreated.getMetadata().setUid("uid-2");
        assertThat(ExternalArtifacts.ownedBy(existing, recreated)).isFalse();
        assertThat(ExternalArtifacts.upToDate(
                        existing,
                        ExternalArtifacts.desiredObject(recreated),
                        ExternalArtifacts.desiredStatus(recreated, servedStatus())))
                .isFalse();
    }

    private static GenericKubernetesResource existing(
            GenericKubernetesResource object, GenericKubernetesResource status) {
        GenericKubernetesResource existing = new GenericKubernetesResource();
        existing.setMetadata(object.getMetadata());
        existing.setAdditionalProperty("spec", object.getAdditionalProperties().get("spec"));
        @SuppressWarnings("unchecked")
        Map<String, Object> withGeneration = new LinkedHashMap<>(
                (Map<String, Object>) status.getAdditionalProperties().get("status"));
        existing.setAdditionalProperty("status", withGeneration);
        return existing;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ready(GenericKubernetesResource status) {
        return ((List<Map<String, Object>>)
                        ((Map<String, Object>) status.getAdditionalProperties().get("status")).get("conditions"))
                .get(0);
    }

    static HelmOciChart chart(Boolean externalArtifact) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName("podinfo")
                .withNamespace("apps")
                .withUid("uid-1")
                .withGeneration(1L)
                .build());
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl("oci://registry.example/charts/podinfo");
        spec.setExternalArtifact(externalArtifact);
        chart.setSpec(spec);
        return chart;
    }

    static HelmOciChartStatus servedStatus() {
        HelmOciChartStatus status = new HelmOciChartStatus();
        status.setResolvedVersion("1.2.3");
        status.setManifestDigest(MANIFEST);
        Artifact artifact = new Artifact();
        artifact.setUrl("http://operator/artifacts/apps/podinfo/podinfo-1.2.3.tgz");
        artifact.setDigest("sha256:" + "c".repeat(64));
        artifact.setSize(1234L);
        artifact.setLastUpdateTime("2026-01-02T03:04:05Z");
        status.setArtifact(artifact);
        status.setConditions(new java.util.ArrayList<>(List.of(new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Succeeded")
                .withMessage("Serving podinfo 1.2.3")
                .withLastTransitionTime("2026-01-02T03:04:05Z")
                .build())));
        return status;
    }
}
