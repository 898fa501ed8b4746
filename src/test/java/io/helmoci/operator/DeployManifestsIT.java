package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** What users apply: deploy/ and examples/ are accepted by a real API server, and deploy/'s RBAC is enough to run the operator. */
class DeployManifestsIT {
    static final String OPERATOR_NAMESPACE = "helm-oci-system";
    static final String OPERATOR_ACCOUNT = "system:serviceaccount:" + OPERATOR_NAMESPACE + ":helm-oci-operator";

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;

    @BeforeAll
    static void crds() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        // A server-side dry run of namespaced objects needs their namespace to exist.
        kube.kubectl("apply", "-f", "deploy/manifests/00-namespace.yaml").orThrow();
    }

    @Test
    void everyManifestInDeployIsAcceptedByADryRunOnTheServer() {
        ProcessRunner.Result result = kube.kubectl(
                "apply", "--dry-run=server", "-f", "deploy/crds", "-f", "deploy/manifests", "-f", "deploy/optional");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout())
                .contains(
                        "customresourcedefinition.apiextensions.k8s.io/helmocicharts.helmoci.io",
                        "customresourcedefinition.apiextensions.k8s.io/helmocireceivers.helmoci.io",
                        "service/helm-oci-operator-webhook",
                        "clusterrole.rbac.authorization.k8s.io/helm-oci-operator",
                        "deployment.apps/helm-oci-operator",
                        "service/helm-oci-operator",
                        "networkpolicy.networking.k8s.io/helm-oci-operator-artifact-clients");
    }

    @Test
    void everyExampleIsAccepted() {
        String namespace = kube.createNamespace("examples");

        ProcessRunner.Result result = kube.kubectl("apply", "--dry-run=server", "-n", namespace, "-f", "examples");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout())
                .contains(
                        "helmocichart.helmoci.io/podinfo",
                        "helmocichart.helmoci.io/internal-app",
                        "helmocireceiver.helmoci.io/harbor");
    }

    /** The control for the test below: impersonation is really in effect, a ServiceAccount without the RBAC cannot run it. */
    @Test
    void theOperatorCannotStartWithoutItsRbac() {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> OperatorProcess.start(
                        kube.kubeconfig(),
                        work.resolve("unprivileged"),
                        Map.of("kubernetes.impersonate.username", "system:serviceaccount:default:nobody"))
                .close());

        assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessageContaining("forbidden");
    }

    @Test
    void theOperatorWorksWithTheRbacOfDeployManifests() throws Exception {
        kube.kubectl("apply", "-f", "deploy/manifests").orThrow();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        helm.push(registry, new ChartFactory(helm, work.resolve("charts")).create("rbac", "0.1.0"), "charts");
        String namespace = kube.createNamespace("rbac");
        Path resource = Files.writeString(work.resolve("rbac.yaml"), """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: rbac
                spec:
                  url: %s
                  insecure: true
                """.formatted(registry.ociUrl("charts/rbac")));

        try (OperatorProcess operator = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator"),
                Map.of(
                        "kubernetes.impersonate.username", OPERATOR_ACCOUNT,
                        "kubernetes.impersonate.group",
                                "system:serviceaccounts,system:serviceaccounts:" + OPERATOR_NAMESPACE
                                        + ",system:authenticated",
                        "helmoci.leader-election.lease-namespace", OPERATOR_NAMESPACE))) {
            kube.kubectl("apply", "-n", namespace, "-f", resource.toString()).orThrow();
            new HelmOciChartAssert(kube, operator).awaitReady(namespace, "rbac"); // as the operator's ServiceAccount
            assertThat(operator.logs()).doesNotContain("forbidden", "Forbidden");
            assertThat(kube.kubectl("get", "events", "-n", namespace).stdout()).contains("NewArtifact");
            assertThat(kube.kubectl("get", "lease", "helm-oci-operator-leader", "-n", OPERATOR_NAMESPACE)
                            .exitCode())
                    .isZero();
        }
    }
}
