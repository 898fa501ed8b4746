package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator asks the registry once per distinct question, however many resources ask it: twenty
 * HelmOciCharts of one repository (half ranges, half exact versions of two tags) cost one tag list,
 * one HEAD per distinct tag and each blob once when they are created, and afterwards one tag list and
 * one HEAD per tag per reuse window (not per resource). Counted in the real registry's access log.
 */
class SharedRegistryRequestsIT {
    private static final int RESOURCES = 20;
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofSeconds(8);

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess operator;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
        for (String version : List.of("1.0.0", "1.1.0", "2.0.0")) {
            helm.push(registry, charts.create("many", version), "charts");
        }
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "helmoci.registry.tag-list-ttl", TTL.toSeconds() + "s",
                        "helmoci.registry.manifest-ttl", TTL.toSeconds() + "s"));
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void twentyResourcesOfOneRepositoryAskEachQuestionOnce() throws Exception {
        String namespace = kube.createNamespace("many");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < RESOURCES; i++) {
            String version = switch (i % 4) {
                case 0, 1 -> "^1.0.0"; // resolves to 1.1.0
                case 2 -> "1.0.0";
                default -> "2.0.0";
            };
            yaml.append("""
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: chart-%d
                    spec:
                      url: %s
                      version: "%s"
                      interval: %ds
                      insecure: true
                    ---
                    """.formatted(i, registry.ociUrl("charts/many"), version, INTERVAL.toSeconds()));
        }
        registry.resetRequests();
        Path file = Files.createTempFile(work, "charts", ".yaml");
        Files.writeString(file, yaml.toString());
        kube.kubectl("apply", "-n", namespace, "-f", file.toString()).orThrow();
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        for (int i = 0; i < RESOURCES; i++) {
            hoc.awaitReady(namespace, "chart-" + i);
        }

        List<RegistryRequest> cold = registry.requests();
        System.out.println("cold sync of " + RESOURCES + " resources: " + byKind(cold));
        assertThat(cold.stream().filter(r -> r.path().contains("/tags/list")).count())
                .as("tag lists, cold: %s", cold)
                .isEqualTo(1);
        assertThat(headsByTag(cold))
                .as("HEADs per tag, cold: %s", cold)
                .isEqualTo(Map.of("1.0.0", 1L, "1.1.0", 1L, "2.0.0", 1L));
        assertThat(cold.stream()
                        .filter(r -> r.path().contains("/blobs/"))
                        .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting())))
                .as("blobs, cold: each once: %s", cold)
                .hasSize(6)
                .allSatisfy((path, n) -> assertThat(n).isEqualTo(1L));

        // Steady state: every resource checks again each interval; the registry sees each question once per window.
        registry.resetRequests();
        long startNanos = System.nanoTime();
        Thread.sleep(INTERVAL.multipliedBy(3).toMillis());
        double windows = (System.nanoTime() - startNanos) / (double) TTL.toNanos();
        List<RegistryRequest> steady = registry.requests();
        System.out.println("steady state, 3 intervals of " + RESOURCES + " resources: " + byKind(steady));
        long bound = (long) Math.ceil(windows) + 1;
        long tagLists =
                steady.stream().filter(r -> r.path().contains("/tags/list")).count();
        assertThat(tagLists)
                .as("tag lists in 3 intervals (at most one per %ss window): %s", TTL.toSeconds(), steady)
                .isBetween(1L, bound);
        assertThat(headsByTag(steady))
                .as("HEADs per tag in 3 intervals (without sharing: 10 resources x 3 for 1.1.0): %s", steady)
                .containsOnlyKeys("1.0.0", "1.1.0", "2.0.0")
                .allSatisfy((tag, n) -> assertThat(n).isBetween(1L, bound));
        assertThat(steady)
                .as("no manifest GET and no blob in steady state")
                .noneMatch(r -> r.method().equals("GET") && !r.path().contains("/tags/list"));
    }

    private static Map<String, Long> byKind(List<RegistryRequest> requests) {
        return requests.stream()
                .collect(Collectors.groupingBy(
                        r -> r.method() + " "
                                + (r.path().contains("/tags/list")
                                        ? "tags/list"
                                        : r.path().contains("/manifests/")
                                                ? "manifest"
                                                : r.path().contains("/blobs/") ? "blob" : "other"),
                        Collectors.counting()));
    }

    private static Map<String, Long> headsByTag(List<RegistryRequest> requests) {
        return requests.stream()
                .filter(r -> r.method().equals("HEAD") && r.path().contains("/manifests/"))
                .collect(Collectors.groupingBy(
                        r -> r.path().substring(r.path().lastIndexOf('/') + 1), Collectors.counting()));
    }
}
