package io.helmoci.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HostileRegistry;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, defect 2: {@value #NOISY} HelmOciCharts in one namespace point at a registry that sends
 * one byte per second (with {@code timeout: 10m}); a healthy chart in another namespace, on a real
 * registry, must still become Ready: the slow registry may hold only its share of the reconcile
 * workers. The time to Ready is printed (no timed assertion beyond the generous wait bound).
 */
class NoisyTenantIT {
    static final int NOISY = Integer.getInteger("noisy.resources", 200);
    /** Generous: the healthy chart needs one HEAD, a manifest, a config and a small archive. */
    static final Duration READY_BOUND = Duration.ofSeconds(120);

    @TempDir
    Path work;

    @Test
    void aHealthyChartInAnotherNamespaceBecomesReadyWhileASlowRegistryHoldsItsShare() throws Exception {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        try (RegistryFixture healthy = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                        .start();
                HostileRegistry slow = HostileRegistry.trickling();
                OperatorProcess operator = OperatorProcess.start(
                        kube.kubeconfig(),
                        work.resolve("operator"),
                        Map.of("helmoci.leader-election.lease-name", "noisy-tenant-it"))) {
            HelmCli helm = new HelmCli(work.resolve("helm"));
            helm.push(healthy, new ChartFactory(helm, work.resolve("charts")).create("quiet", "1.0.0"), "charts");

            String noisy = kube.createNamespace("noisy");
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < NOISY; i++) {
                many.append("""
                        ---
                        apiVersion: helmoci.io/v1alpha1
                        kind: HelmOciChart
                        metadata: {name: slow-%d}
                        spec: {url: "%s", interval: 10m, timeout: 10m, insecure: true}
                        """.formatted(i, slow.ociUrl("charts/slow" + i)));
            }
            kube.kubectl(
                            "apply",
                            "-n",
                            noisy,
                            "-f",
                            Files.writeString(work.resolve("noisy.yaml"), many).toString())
                    .orThrow();
            Instant waitFrom = Instant.now();
            while (slow.openTrickles() < 10
                    && Duration.between(waitFrom, Instant.now()).toSeconds() < 60) {
                Thread.sleep(200);
            }
            Thread.sleep(3_000); // the workers the slow registry can get are taken by now
            int trickling = slow.openTrickles();

            String quiet = kube.createNamespace("quiet");
            Path resource =
                    Files.writeString(work.resolve("quiet.yaml"), """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata: {name: quiet}
                    spec: {url: "%s", version: "1.0.0", interval: 10m, timeout: 60s, insecure: true}
                    """.formatted(healthy.ociUrl("charts/quiet")));
            Instant applied = Instant.now();
            kube.kubectl("apply", "-n", quiet, "-f", resource.toString()).orThrow();
            String readyStatus = null;
            while (Duration.between(applied, Instant.now()).compareTo(READY_BOUND) < 0) {
                readyStatus = condition(kube, quiet, "quiet", Constants.CONDITION_READY)
                        .map(Condition::getStatus)
                        .orElse(null);
                if ("True".equals(readyStatus)) {
                    break;
                }
                Thread.sleep(100);
            }
            double seconds = Duration.between(applied, Instant.now()).toMillis() / 1000.0;
            long waiting = kube.client().resources(HelmOciChart.class).inNamespace(noisy).list().getItems().stream()
                    .map(chart -> reconcilingReason(chart))
                    .filter(ConditionReasons.WAITING_FOR_CAPACITY::equals)
                    .count();
            System.out.printf(
                    "%d resources on a 1 byte/s registry (%d requests trickling when the healthy one was applied):"
                            + " healthy chart in another namespace Ready=%s after %.1f s; %d noisy resources show WaitingForCapacity%n",
                    NOISY, trickling, readyStatus, seconds, waiting);

            if (!"True".equals(readyStatus)) {
                throw operator.withLogAttached(new AssertionError("the healthy chart is not Ready after " + READY_BOUND
                        + " while " + trickling + " requests trickle"));
            }
            assertThat(trickling)
                    .as("the slow registry holds at most its share of workers")
                    .isLessThanOrEqualTo(10);
            assertThat(waiting).as("the others wait, and say so").isGreaterThan(0);
        }
    }

    private static String reconcilingReason(HelmOciChart chart) {
        if (chart.getStatus() == null || chart.getStatus().getConditions() == null) {
            return null;
        }
        return chart.getStatus().getConditions().stream()
                .filter(c -> Constants.CONDITION_RECONCILING.equals(c.getType()))
                .map(Condition::getReason)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    private static java.util.Optional<Condition> condition(
            KubeApiServerFixture kube, String namespace, String name, String type) {
        HelmOciChart chart = kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (chart == null || chart.getStatus() == null || chart.getStatus().getConditions() == null) {
            return java.util.Optional.empty();
        }
        return chart.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }
}
