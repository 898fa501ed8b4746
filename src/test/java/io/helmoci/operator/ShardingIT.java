package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operator processes on one API server split the resources by the sharding label: the one
 * with key "blue" reconciles only resources labelled sharding.helmoci.io/key=blue, the one without
 * a key only those without the label; a resource of a shard nobody runs is left alone. The
 * namespace index, served by either, lists the charts of every shard.
 */
class ShardingIT {
    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess blue;
    static OperatorProcess unsharded;

    @BeforeAll
    static void startTwoShards() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
        helm.push(registry, charts.create("sharded", "1.0.0"), "charts");
        helm.push(registry, charts.create("sharded", "1.1.0"), "charts"); // the index lists one entry per version
        blue = OperatorProcess.start(kube.kubeconfig(), work.resolve("blue"), Map.of("helmoci.sharding.key", "blue"));
        unsharded = OperatorProcess.start(kube.kubeconfig(), work.resolve("unsharded"), Map.of());
    }

    @AfterAll
    static void stop() {
        if (blue != null) {
            blue.close();
        }
        if (unsharded != null) {
            unsharded.close();
        }
    }

    @Test
    void eachShardReconcilesOnlyItsOwnResources() throws Exception {
        String namespace = kube.createNamespace("shards");
        // The resource of a shard nobody runs goes first: when the others are Ready, it was seen and left alone.
        apply(
                namespace,
                chart("green-chart", "green", "1.0.0") + "---\n" + chart("blue-chart", "blue", "1.0.0") + "---\n"
                        + chart("plain-chart", null, "1.1.0"));

        HelmOciChartAssert blueShard = new HelmOciChartAssert(kube, blue);
        HelmOciChartAssert defaultShard = new HelmOciChartAssert(kube, unsharded);
        blueShard.awaitReady(namespace, "blue-chart");
        defaultShard.awaitReady(namespace, "plain-chart");

        HelmOciChart blueChart = blueShard.get(namespace, "blue-chart");
        HelmOciChart plainChart = defaultShard.get(namespace, "plain-chart");
        assertThat(blueChart.getStatus().getArtifact().getUrl())
                .as("served by the blue shard")
                .startsWith(blue.baseUrl().toString());
        assertThat(plainChart.getStatus().getArtifact().getUrl())
                .as("served by the default shard")
                .startsWith(unsharded.baseUrl().toString());
        HelmOciChart green = blueShard.get(namespace, "green-chart");
        assertThat(green.getStatus())
                .as("no operator runs the green shard: no status")
                .isNull();
        assertThat(green.getMetadata().getFinalizers()).as("and no finalizer").isNullOrEmpty();

        for (OperatorProcess either : new OperatorProcess[] {blue, unsharded}) {
            var index = either.get("/charts/" + namespace + "/index.yaml");
            assertThat(index.statusCode()).isEqualTo(200);
            String yaml = new String(index.body(), StandardCharsets.UTF_8);
            assertThat(yaml)
                    .as("the index of %s lists the charts of every shard", either.baseUrl())
                    .contains(blueChart.getStatus().getArtifact().getUrl())
                    .contains(plainChart.getStatus().getArtifact().getUrl());
        }
    }

    private static String chart(String name, String shard, String version) {
        return """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                %s
                spec:
                  url: %s
                  version: "%s"
                  insecure: true
                """.formatted(
                        name,
                        shard == null ? "" : "  labels:\n    " + Constants.SHARDING_KEY_LABEL + ": " + shard,
                        registry.ociUrl("charts/sharded"),
                        version);
    }

    private static void apply(String namespace, String yaml) throws Exception {
        Path file = Files.createTempFile(work, "resources", ".yaml");
        Files.writeString(file, yaml);
        kube.kubectl("apply", "-n", namespace, "-f", file.toString()).orThrow();
    }
}
