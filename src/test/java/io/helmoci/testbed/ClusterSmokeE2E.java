package io.helmoci.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test bed's real cluster runs a workload as users do: the sample image (a static HTTP server
 * built like the pause image) as a Deployment with a restricted security context and a readiness
 * probe, 1/1 Ready, answering through its Service's ClusterIP from this JVM; kubectl reaches the
 * kubelet; the cluster's network has no route off the machine.
 */
class ClusterSmokeE2E {
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
    private static final String APP = "hello";

    @RegisterExtension
    static final ClusterExtension cluster = new ClusterExtension();

    @BeforeAll
    static void deployTheSampleWorkload() {
        Map<String, String> labels = Map.of("app", APP);
        cluster.client()
                .apps()
                .deployments()
                .inNamespace(cluster.namespace())
                .resource(new DeploymentBuilder()
                        .withNewMetadata()
                        .withName(APP)
                        .endMetadata()
                        .withNewSpec()
                        .withReplicas(1)
                        .withNewSelector()
                        .withMatchLabels(labels)
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .withLabels(labels)
                        .endMetadata()
                        .withNewSpec()
                        .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(65534L)
                        .withNewSeccompProfile()
                        .withType("RuntimeDefault")
                        .endSeccompProfile()
                        .endSecurityContext()
                        .addNewContainer()
                        .withName(APP)
                        .withImage(cluster.cluster().helloImage())
                        .withImagePullPolicy("Never")
                        .addNewEnv()
                        .withName("HELLO_MESSAGE")
                        .withValue("smoke")
                        .endEnv()
                        .addNewPort()
                        .withName("http")
                        .withContainerPort(8080)
                        .endPort()
                        .withNewReadinessProbe()
                        .withNewHttpGet()
                        .withPath("/healthz")
                        .withPort(new IntOrString("http"))
                        .endHttpGet()
                        .withPeriodSeconds(1)
                        .endReadinessProbe()
                        .withNewSecurityContext()
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(true)
                        .withNewCapabilities()
                        .withDrop("ALL")
                        .endCapabilities()
                        .endSecurityContext()
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build())
                .create();
        cluster.client()
                .services()
                .inNamespace(cluster.namespace())
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName(APP)
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(labels)
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .withTargetPort(new IntOrString("http"))
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        cluster.cluster().awaitDeploymentReady(cluster.namespace(), APP, READY_TIMEOUT);
    }

    @Test
    void theNodeIsReadyWithTheKubeletOfTheApiServersVersionAndContainerd() {
        Node node =
                cluster.client().nodes().withName(cluster.cluster().nodeName()).get();

        assertThat(node.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
        });
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v" + Tools.kubeVersion());
        assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).startsWith("containerd://1.6");
        assertThat(node.getStatus().getAddresses())
                .extracting(NodeAddress::getType, NodeAddress::getAddress)
                .contains(org.assertj.core.groups.Tuple.tuple(
                        "InternalIP", cluster.cluster().nodeIp()));
    }

    @Test
    void theDeploymentRunsOneReadyPodInThePodNetworkWithItsSecurityContext() {
        List<Pod> pods = cluster.client()
                .pods()
                .inNamespace(cluster.namespace())
                .withLabel("app", APP)
                .list()
                .getItems();

        assertThat(pods).singleElement().satisfies(pod -> {
            assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
            assertThat(pod.getStatus().getContainerStatuses())
                    .singleElement()
                    .satisfies(c -> assertThat(c.getReady()).isTrue());
            assertThat(inCidr(pod.getStatus().getPodIP(), cluster.cluster().podCidr()))
                    .as(
                            "pod IP %s in %s",
                            pod.getStatus().getPodIP(), cluster.cluster().podCidr())
                    .isTrue();
            assertThat(pod.getSpec().getNodeName()).isEqualTo(cluster.cluster().nodeName());
        });
    }

    @Test
    void theWorkloadAnswersThroughItsServiceClusterIp() {
        URI url = cluster.cluster().serviceUrl(cluster.namespace(), APP, 80);
        String podName = cluster.client()
                .pods()
                .inNamespace(cluster.namespace())
                .withLabel("app", APP)
                .list()
                .getItems()
                .get(0)
                .getMetadata()
                .getName();

        HttpResponse<String> response = cluster.cluster().httpGet(url.resolve("/"), Duration.ofSeconds(30));

        assertThat(inCidr(url.getHost(), cluster.cluster().serviceCidr()))
                .as("ClusterIP %s in %s", url.getHost(), cluster.cluster().serviceCidr())
                .isTrue();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from " + podName + ": smoke\n");
    }

    @Test
    void kubectlLogsReachesTheKubelet() {
        ProcessRunner.Result logs = cluster.cluster()
                .kubectl("logs", "-n", cluster.namespace(), "deployment/" + APP)
                .orThrow();

        assertThat(logs.stdout()).contains("hello-http listening on :8080");
    }

    @Test
    void theClusterNetworkHasNoRouteOffTheMachine() {
        ProcessRunner.Result routes = ProcessRunner.run(
                        List.of("ip", "-n", cluster.cluster().networkNamespace(), "-4", "route", "show"))
                .orThrow();

        assertThat(routes.stdout().lines().toList())
                .isNotEmpty()
                .allSatisfy(route -> assertThat(route).startsWith("198.18."));
    }

    /** Whether IPv4 address {@code ip} lies in {@code cidr} ("a.b.c.d/n"). */
    static boolean inCidr(String ip, String cidr) {
        String[] parts = cidr.split("/");
        int prefix = Integer.parseInt(parts[1]);
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return (toLong(ip) & mask) == (toLong(parts[0]) & mask);
    }

    private static long toLong(String ip) {
        long value = 0;
        for (String octet : ip.split("\\.")) {
            value = (value << 8) | Integer.parseInt(octet);
        }
        return value;
    }
}
