package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RateLimitingRegistryFront;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that rate-limits (429 with Retry-After, in front of a real registry): the resources say
 * Ready=False, reason RateLimited, with the time of the next try; the registry gets at most one
 * request per Retry-After meanwhile, however many resources check; and when it takes requests again
 * the resources are Ready again by themselves.
 */
class RateLimitedRegistryIT {
    private static final int RETRY_AFTER_SECONDS = 4;
    private static final int RESOURCES = 5;

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess operator;
    static RateLimitingRegistryFront proxy;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        helm.push(registry, new ChartFactory(helm, work.resolve("charts")).create("limited", "1.0.0"), "charts");
        proxy = RateLimitingRegistryFront.start(registry.baseUrl(), RETRY_AFTER_SECONDS);
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "1000"));
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void throttledResourcesSayWhenTheyTryAgainAndRecoverByThemselves() throws Exception {
        String namespace = kube.createNamespace("throttled");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < RESOURCES; i++) {
            yaml.append("""
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: limited-%d
                    spec:
                      url: oci://%s/charts/limited
                      version: "1.0.0"
                      interval: 2s
                      insecure: true
                    ---
                    """.formatted(i, proxy.hostPort()));
        }
        Path file = Files.createTempFile(work, "charts", ".yaml");
        Files.writeString(file, yaml.toString());
        kube.kubectl("apply", "-n", namespace, "-f", file.toString()).orThrow();
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        for (int i = 0; i < RESOURCES; i++) {
            hoc.awaitReady(namespace, "limited-" + i);
        }

        proxy.limit(true);
        for (int i = 0; i < RESOURCES; i++) {
            HelmOciChart chart = hoc.await(
                    namespace,
                    "limited-" + i,
                    c -> ConditionReasons.of(io.helmoci.engine.Reason.RateLimited)
                            .equals(readyReason(c)),
                    "Ready=False, reason RateLimited");
            assertThat(readyMessage(chart)).contains("rate-limits").contains("the next request to it goes out at");
        }
        int before = proxy.sentWhileLimited();
        long startNanos = System.nanoTime();
        Thread.sleep(RETRY_AFTER_SECONDS * 3 * 1000L);
        long seconds = (System.nanoTime() - startNanos) / 1_000_000_000L + 1;
        int sent = proxy.sentWhileLimited() - before;
        System.out.printf(
                "%d resources at a 2s interval, registry answering 429 with Retry-After %ds: %d requests in %ds%n",
                RESOURCES, RETRY_AFTER_SECONDS, sent, seconds);
        assertThat(sent)
                .as("requests during %ds of 429s: at most one per Retry-After", seconds)
                .isLessThanOrEqualTo((int) (seconds / RETRY_AFTER_SECONDS) + 1);

        proxy.limit(false);
        for (int i = 0; i < RESOURCES; i++) {
            hoc.awaitReady(namespace, "limited-" + i);
        }
    }
}
