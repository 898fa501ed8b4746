package io.helmoci.operator.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.ChartDependency;
import io.helmoci.operator.api.v1alpha1.ChartInfo;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelmRepositoryIndexTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void listsEveryReadyChartVersionOnceWithItsArtifactUrlAndHexDigest() throws Exception {
        HelmOciChart ready = chart("podinfo-a", "podinfo", "6.5.0", "True", "aa");
        ready.getStatus()
                .getChart()
                .setDependencies(List.of(new ChartDependency("redis", "18.x", "oci://r.example/charts", null)));
        List<HelmOciChart> charts = List.of(
                ready,
                chart("podinfo-b", "podinfo", "6.4.0", "True", "bb"),
                chart("podinfo-c", "podinfo", "6.5.0", "True", "cc"), // same version again: listed once
                chart("failing", "other", "1.0.0", "False", "dd"));

        JsonNode index = YAML.readTree(HelmRepositoryIndex.render(charts, "2026-01-01T00:00:00Z"));

        assertThat(index.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(index.path("generated").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(index.path("entries").has("other")).isFalse();
        JsonNode podinfo = index.path("entries").path("podinfo");
        assertThat(podinfo).hasSize(2);
        JsonNode first = podinfo.get(0);
        assertThat(first.path("apiVersion").asText()).isEqualTo("v2");
        assertThat(first.path("version").asText()).isEqualTo("6.5.0");
        assertThat(first.path("appVersion").asText()).isEqualTo("app");
        assertThat(first.path("digest").asText()).isEqualTo("aa".repeat(32));
        assertThat(first.path("urls").get(0).asText())
                .isEqualTo("http://ops/artifacts/apps/podinfo-a/podinfo-6.5.0.tgz");
        assertThat(first.path("created").asText()).isEqualTo("2026-01-02T00:00:00Z");
        assertThat(first.path("dependencies").get(0).path("repository").asText())
                .isEqualTo("oci://r.example/charts");
        assertThat(podinfo.get(1).path("version").asText()).isEqualTo("6.4.0");
    }

    @Test
    void numericLookingVersionsStayStringsForHelm4() throws Exception {
        HelmOciChart chart = chart("hello", "hello-http", "1.0", "True", "ee");
        chart.getStatus().getChart().setAppVersion("1");

        String yaml = HelmRepositoryIndex.render(List.of(chart), "now");

        JsonNode entry = YAML.readTree(yaml).path("entries").path("hello-http").get(0);
        assertThat(entry.path("appVersion").isTextual())
                .as("appVersion in:%n%s", yaml)
                .isTrue();
        assertThat(entry.path("appVersion").asText()).isEqualTo("1");
        assertThat(entry.path("version").isTextual())
                .as("version in:%n%s", yaml)
                .isTrue();
        assertThat(entry.path("version").asText()).isEqualTo("1.0");
    }

    @Test
    void aChartWhoseNewDigestFailedVerificationStaysIndexedWithItsLastVerifiedArchive() throws Exception {
        HelmOciChart refused = chart("signed", "signed", "1.0.0", "False", "aa");
        refused.getStatus().setManifestDigest("sha256:" + "11".repeat(32));
        io.helmoci.operator.api.v1alpha1.VerificationStatus verification =
                new io.helmoci.operator.api.v1alpha1.VerificationStatus();
        verification.setManifestDigest("sha256:" + "11".repeat(32));
        refused.getStatus().setVerification(verification);
        refused.getStatus()
                .getConditions()
                .add(new ConditionBuilder()
                        .withType("SourceVerified")
                        .withStatus("False")
                        .withReason("SignatureNotFound")
                        .build());
        // The same, but the archive it serves is not the verified one (verification removed, then failed).
        HelmOciChart unverified = chart("unverified", "unverified", "1.0.0", "False", "bb");
        unverified.getStatus().setManifestDigest("sha256:" + "22".repeat(32));
        unverified
                .getStatus()
                .getConditions()
                .add(refused.getStatus().getConditions().get(1));

        JsonNode index = YAML.readTree(HelmRepositoryIndex.render(List.of(refused, unverified), "now"));

        assertThat(index.path("entries").path("signed").get(0).path("digest").asText())
                .isEqualTo("aa".repeat(32));
        assertThat(index.path("entries").has("unverified")).isFalse();
    }

    @Test
    void anEmptyNamespaceIsAnEmptyRepository() throws Exception {
        JsonNode index = YAML.readTree(HelmRepositoryIndex.render(List.of(new HelmOciChart()), "now"));

        assertThat(index.path("entries").isEmpty()).isTrue();
    }

    static HelmOciChart chart(String name, String chartName, String version, String ready, String digestByte) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(
                new ObjectMetaBuilder().withName(name).withNamespace("apps").build());
        HelmOciChartStatus status = new HelmOciChartStatus();
        status.setResolvedVersion(version);
        ChartInfo info = new ChartInfo();
        info.setApiVersion("v2");
        info.setName(chartName);
        info.setVersion(version);
        info.setAppVersion("app");
        status.setChart(info);
        Artifact artifact = new Artifact();
        artifact.setUrl("http://ops/artifacts/apps/" + name + "/" + chartName + "-" + version + ".tgz");
        artifact.setDigest("sha256:" + digestByte.repeat(32));
        artifact.setSize(10L);
        artifact.setLastUpdateTime("2026-01-02T00:00:00Z");
        status.setArtifact(artifact);
        status.setConditions(new ArrayList<>(List.of(new ConditionBuilder()
                .withType("Ready")
                .withStatus(ready)
                .withReason("x")
                .build())));
        chart.setStatus(status);
        return chart;
    }
}
