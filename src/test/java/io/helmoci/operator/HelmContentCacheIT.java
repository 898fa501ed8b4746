package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm 4 keeps downloaded charts in a content cache keyed by the {@code digest} of the repository
 * index ({@code $HELM_CACHE_HOME/content/<2 hex>/<digest>.chart}) and, on a hit, does not download
 * at all. So the index must carry the sha256 of the archive it serves, and a new archive under the
 * same version (a moved tag) must change it; otherwise Helm 4 would keep installing the old chart.
 */
class HelmContentCacheIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;

    @AutoClose
    static OperatorProcess operator;

    @BeforeAll
    static void startOperator() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        operator = OperatorProcess.start(kube.kubeconfig(), work.resolve("operator"), Map.of());
    }

    @Test
    void helm4CachesByTheIndexDigestWhichIsTheArchiveSha256AndChangesWithTheArchive() throws Exception {
        HelmCli pusher = new HelmCli(work.resolve("pusher"));
        ChartFactory charts = new ChartFactory(pusher, work.resolve("charts"));
        String namespace = kube.createNamespace("cachekey");
        pusher.push(registry, charts.create(ChartSpec.of("cached", "1.0.0").description("first archive")), "charts");
        kube.apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: cached}
                spec: {url: "%s", version: "1.0.0", interval: "2s", insecure: true}
                """.formatted(registry.ociUrl("charts/cached")));
        String first = awaitContentDigest(namespace, null);

        String indexDigest = indexDigest(namespace);
        assertThat("sha256:" + indexDigest)
                .as("index digest = sha256 of the served archive = status.contentDigest")
                .isEqualTo(Digests.sha256(served(namespace)))
                .isEqualTo(first);

        HelmCli helm4 = new HelmCli(work.resolve("helm4"), HelmMajor.HELM_4);
        helm4.run(List.of("repo", "add", "team", operator.baseUrl() + "/charts/" + namespace))
                .orThrow();
        assertThat(showChart(helm4)).contains("description: first archive");
        Path cached = contentCacheEntry(helm4, indexDigest);
        assertThat(cached).as("Helm 4 stored the chart under the index digest").isRegularFile();
        assertThat(Digests.sha256(cached)).isEqualTo(first);

        // The same version, re-pushed with other content: the operator follows the moved tag.
        pusher.push(registry, charts.create(ChartSpec.of("cached", "1.0.0").description("second archive")), "charts");
        String second = awaitContentDigest(namespace, first);
        assertThat(second).isNotEqualTo(first);
        assertThat("sha256:" + indexDigest(namespace))
                .isEqualTo(Digests.sha256(served(namespace)))
                .isEqualTo(second);

        // Control: with its old copy of the index Helm 4 does not download at all, it renders the cached first archive.
        assertThat(showChart(helm4)).as("cache hit on the old index digest").contains("description: first archive");
        helm4.run(List.of("repo", "update", "team")).orThrow();
        assertThat(showChart(helm4))
                .as("the new index digest misses the cache: downloaded")
                .contains("description: second archive");
        assertThat(Digests.sha256(contentCacheEntry(helm4, second.substring("sha256:".length()))))
                .isEqualTo(second);
    }

    private static String showChart(HelmCli helm) {
        return helm.run(List.of("show", "chart", "team/cached", "--version", "1.0.0"))
                .orThrow()
                .stdout();
    }

    /** Where Helm 4 keeps a chart of this sha256 (its DiskCache layout under HELM_CACHE_HOME/content). */
    private static Path contentCacheEntry(HelmCli helm, String hex) {
        return helm.home().resolve("cache/content").resolve(hex.substring(0, 2)).resolve(hex + ".chart");
    }

    private static String indexDigest(String namespace) throws Exception {
        JsonNode index = YAML.readTree(
                operator.get("/charts/" + namespace + "/index.yaml").body());
        return index.path("entries").path("cached").get(0).path("digest").asText();
    }

    private static Path served(String namespace) throws Exception {
        HelmOciChart chart = kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName("cached")
                .get();
        Path file = Files.createTempFile(work, "served", ".tgz");
        return Files.write(
                file, operator.get(chart.getStatus().getArtifact().getUrl()).body());
    }

    /** Waits (bounded) until the resource is Ready with a content digest other than {@code previous}. */
    private static String awaitContentDigest(String namespace, String previous) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        HelmOciChart chart = null;
        while (Instant.now().isBefore(deadline)) {
            chart = kube.client()
                    .resources(HelmOciChart.class)
                    .inNamespace(namespace)
                    .withName("cached")
                    .get();
            if (chart != null
                    && chart.getStatus() != null
                    && chart.getStatus().getContentDigest() != null
                    && !chart.getStatus().getContentDigest().equals(previous)
                    && chart.getStatus().getArtifact() != null
                    && chart.getStatus().getConditions().stream()
                            .anyMatch(c ->
                                    Constants.CONDITION_READY.equals(c.getType()) && "True".equals(c.getStatus()))) {
                return chart.getStatus().getContentDigest();
            }
            Thread.sleep(200);
        }
        throw operator.withLogAttached(new AssertionError("no new Ready content digest (previous " + previous + "): "
                + (chart == null ? "no resource" : chart.getStatus())));
    }
}
