package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.helmoci.testbed.ChartFactory;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster without Flux: a HelmOciChart asking for an ExternalArtifact is Ready all the same; once
 * Flux's CRDs are installed the operator publishes it without a restart. An API server of its own,
 * because the shared one may already carry the Flux CRDs (FluxExternalArtifactIT).
 */
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
    }

    private static Optional<GenericKubernetesResource> externalArtifact(String ns, String name) {
        return Optional.ofNullable(kube.client()
                .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "ExternalArtifact")
                .inNamespace(ns)
                .withName(name)
                .get());
    }
}
