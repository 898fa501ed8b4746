package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.GarbageCollectorProcess;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmControllerProcess;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster without Flux: a HelmOciChart asking for an ExternalArtifact is Ready all the same; once
 * Flux's CRDs are installed the operator publishes it without a restart. Then what the operator does
 * not do itself: with the operator stopped, Kubernetes' real garbage collector (kube-controller-manager,
 * which the test API server otherwise lacks) deletes the ExternalArtifact of a deleted HelmOciChart by
 * its owner reference. An API server of its own: the shared one may already carry the Flux CRDs
 * (FluxExternalArtifactIT), and the garbage collector would act on every other test's objects.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the garbage collector test stops the operator
class FluxCrdLaterIT {
    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    @AutoClose
    static KubeApiServerFixture kube;

    @AutoClose
    static OperatorProcess operator;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.start();
        kube.applyProjectCrds();
        operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of("helmoci.external-artifacts.crd-check-interval", "1s"));
    }

    @Test
    @Order(1)
    void withoutTheCrdTheChartIsReadyAndOnceItIsInstalledTheExternalArtifactFollows() {
        HelmCli helm = new HelmCli(work.resolve("helm"));
        String digest = helm.push(
                        registry, new ChartFactory(helm, work.resolve("charts")).create("later", "1.0.0"), "charts")
                .digest();
        String ns = kube.createNamespace("flux-later");
        kube.apply(ns, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: later
                spec:
                  url: %s
                  version: "1.0.0"
                  interval: 2s
                  insecure: true
                  externalArtifact: true
                """.formatted(registry.ociUrl("charts/later")));
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);

        hoc.awaitReady(ns, "later");
        assertThat(operator.logs()).contains("ExternalArtifact CRD", "is not installed");

        HelmControllerProcess.applyCrds(kube);
        hoc.awaitTrue(
                () -> externalArtifact(ns, "later")
                        .map(a -> a.getAdditionalProperties().get("status"))
                        .map(Object::toString)
                        .filter(status -> status.contains("revision=1.0.0@" + digest))
                        .isPresent(),
                "the ExternalArtifact published once the CRD exists");
        assertThat(operator.logs()).contains("is installed: publishing ExternalArtifacts");

        // Turned off: the operator deletes the one it made.
        kube.kubectl("patch", "hoc", "later", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"externalArtifact\":false}}")
                .orThrow();
        hoc.awaitTrue(() -> externalArtifact(ns, "later").isEmpty(), "the ExternalArtifact deleted when turned off");

        // One of that name the HelmOciChart does not own is left alone, and the HelmOciChart says so.
        kube.apply(ns, """
                apiVersion: source.toolkit.fluxcd.io/v1
                kind: ExternalArtifact
                metadata:
                  name: later
                spec:
                  sourceRef: {kind: Bucket, name: someone-else}
                """);
        kube.kubectl("patch", "hoc", "later", "-n", ns, "--type=merge", "-p", "{\"spec\":{\"externalArtifact\":true}}")
                .orThrow();
        HelmOciChart refused = hoc.await(
                ns,
                "later",
                c -> ConditionReasons.EXTERNAL_ARTIFACT_FAILED.equals(HelmOciChartAssert.readyReason(c)),
                "Ready=False ExternalArtifactFailed for a foreign ExternalArtifact");
        assertThat(HelmOciChartAssert.condition(refused, Constants.CONDITION_READY)
                        .orElseThrow()
                        .getMessage())
                .contains("is not owned by this HelmOciChart");
        assertThat(externalArtifact(ns, "later")
                        .orElseThrow()
                        .getAdditionalProperties()
                        .toString())
                .contains("someone-else");
    }

    @Test
    @Order(2)
    void kubernetesGarbageCollectorDeletesTheExternalArtifactOfADeletedHelmOciChartByItsOwnerReference() {
        HelmControllerProcess.applyCrds(kube);
        HelmCli helm = new HelmCli(work.resolve("helm-gc"));
        helm.push(registry, new ChartFactory(helm, work.resolve("charts-gc")).create("collected", "1.0.0"), "charts");
        String ns = kube.createNamespace("flux-gc");
        kube.apply(ns, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: collected
                spec:
                  url: %s
                  version: "1.0.0"
                  insecure: true
                  externalArtifact: true
                """.formatted(registry.ociUrl("charts/collected")));
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        hoc.awaitReady(ns, "collected");
        assertThat(externalArtifact(ns, "collected")).isPresent();

        try (GarbageCollectorProcess collector = GarbageCollectorProcess.start(kube.kubeconfig(), work.resolve("gc"))) {
            // Without the operator its finalizer would keep the HelmOciChart: remove it, as an admin would.
            operator.close();
            kube.kubectl(
                            "patch",
                            "hoc",
                            "collected",
                            "-n",
                            ns,
                            "--type=merge",
                            "-p",
                            "{\"metadata\":{\"finalizers\":null}}")
                    .orThrow();
            kube.kubectl("delete", "hoc", "collected", "-n", ns, "--wait=true").orThrow();
            try {
                hoc.awaitTrue(
                        () -> externalArtifact(ns, "collected").isEmpty(),
                        "the garbage collector deleted the ExternalArtifact");
            } catch (AssertionError e) {
                e.addSuppressed(new Throwable("kube-controller-manager log:\n" + collector.logs()));
                throw e;
            }
        }
    }

    private static Optional<GenericKubernetesResource> externalArtifact(String ns, String name) {
        return Optional.ofNullable(kube.client()
                .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "ExternalArtifact")
                .inNamespace(ns)
                .withName(name)
                .get());
    }
}
