package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmMajor;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The operator's own Helm chart: deploy/manifests is rendered from it (one source of truth, like the
 * CRD), its values reach the Deployment, and pushed as an OCI chart it installs with Helm 3 and Helm 4
 * from {@code oci://} into a real API server (objects only: the pods run in the cluster E2E tests),
 * and the operator syncs it like any other chart.
 */
class OperatorChartIT {
    static final Path CHART = Path.of("deploy/chart/helm-oci-operator");
    static final Path MANIFESTS = Path.of("deploy/manifests");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static String chartVersion;

    @BeforeAll
    static void pushTheChart() throws IOException {
        chartVersion = YAML.readTree(CHART.resolve("Chart.yaml").toFile())
                .path("version")
                .asText();
        HelmCli pusher = new HelmCli(work.resolve("pusher"));
        Map<String, String> env = new HashMap<>(pusher.environment());
        env.put("HELM", pusher.executable().toString());
        env.put("CHART_DIR", work.resolve("packaged").toString());
        ProcessRunner.Result pushed = ProcessRunner.run(
                        List.of("bash", "tools/chart.sh", registry.host() + "/charts"),
                        env,
                        null,
                        null,
                        Duration.ofMinutes(2))
                .orThrow();
        assertThat(pushed.stdout() + pushed.stderr())
                .contains("Pushed: " + registry.host() + "/charts/helm-oci-operator:" + chartVersion);
    }

    @Test
    void deployManifestsAreRenderedFromTheChart() throws IOException {
        Path rendered = work.resolve("rendered");
        ProcessRunner.run(
                        List.of("bash", "tools/manifests.sh", rendered.toString()),
                        Map.of("HELM", Tools.helm().toString()),
                        null,
                        null,
                        Duration.ofMinutes(1))
                .orThrow();

        assertThat(fileNames(rendered)).isEqualTo(fileNames(MANIFESTS)).isNotEmpty();
        for (String name : fileNames(MANIFESTS)) {
            assertThat(Files.readString(MANIFESTS.resolve(name)))
                    .as(
                            "%s is out of date with %s: run `make manifests` and commit the result",
                            MANIFESTS.resolve(name), CHART)
                    .isEqualTo(Files.readString(rendered.resolve(name)));
        }
    }

    @Test
    void theChartCarriesTheCheckedInCrd() throws IOException {
        Path crd = Path.of("deploy/crds/helmocicharts.helmoci.io-v1.yml");
        assertThat(Files.readString(CHART.resolve("crds").resolve(crd.getFileName())))
                .as("the chart's CRD differs from %s: run `make crds` and commit the result", crd)
                .isEqualTo(Files.readString(crd));
    }

    @Test
    void valuesReachTheDeploymentWhoseSecurityContextStaysHardened() throws IOException {
        HelmCli helm = new HelmCli(work.resolve("render"));
        String yaml = helm.run(List.of(
                        "template",
                        "ops",
                        CHART.toAbsolutePath().toString(),
                        "--namespace",
                        "ops-system",
                        "--set",
                        "image.repository=registry.test/helm-oci-operator",
                        "--set",
                        "image.digest=sha256:" + "ab".repeat(32),
                        "--set",
                        "replicas=2",
                        "--set",
                        "sharding.key=shard-a",
                        "--set",
                        "settings.HELMOCI_ARTIFACTS_RETENTION=10m",
                        "--set",
                        "extraEnv[0].name=EXTRA",
                        "--set",
                        "extraEnv[0].value=yes",
                        "--set",
                        "resources.limits.memory=768Mi",
                        "--set",
                        "service.port=8080"))
                .orThrow()
                .stdout();
        JsonNode deployment = documents(yaml).stream()
                .filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst()
                .orElseThrow();

        assertThat(deployment.path("metadata").path("name").asText()).isEqualTo("ops-helm-oci-operator");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("image").asText())
                .isEqualTo("registry.test/helm-oci-operator@sha256:" + "ab".repeat(32));
        assertThat(container.path("resources").path("limits").path("memory").asText())
                .isEqualTo("768Mi");
        Map<String, String> env = new HashMap<>();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(env)
                .containsEntry("HELMOCI_SHARDING_KEY", "shard-a")
                .containsEntry("HELMOCI_ARTIFACTS_RETENTION", "10m")
                .containsEntry("EXTRA", "yes")
                .containsEntry("HELMOCI_ARTIFACTS_BASE_URL", "http://ops-helm-oci-operator.ops-system.svc:8080")
                .containsKey("JAVA_TOOL_OPTIONS");
        assertThat(env.get("JAVA_TOOL_OPTIONS"))
                .contains("-XX:MaxRAMPercentage=50", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
        assertHardened(pod);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(HelmMajor.class)
    void installsFromTheOciRegistryWithBothHelmMajors(HelmMajor major) {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("installer-" + major), major);
        String ref = registry.ociUrl("charts/helm-oci-operator");
        String release = "hoo-" + major;
        String namespace = "hoo-" + major + "-system";

        String template = helm.run(List.of(
                        "template", release, ref, "--version", chartVersion, "--plain-http", "--namespace", namespace))
                .orThrow()
                .stdout();
        assertThat(template).contains("kind: Deployment", "name: " + release + "-helm-oci-operator");
        assertThat(helm.run(List.of("show", "crds", ref, "--version", chartVersion, "--plain-http"))
                        .orThrow()
                        .stdout())
                .contains("name: \"helmocicharts.helmoci.io\"");

        // The test bed applies the CRD (server-side): Helm 3 skips an existing CRD, Helm 4 server-side applies it and
        // fails
        // on a CRD another field manager wrote (kubectl, Helm 3), so both install with --skip-crds here (README: Helm 3
        // and Helm 4).
        List<String> install = new ArrayList<>(List.of(
                "install",
                release,
                ref,
                "--version",
                chartVersion,
                "--plain-http",
                "--skip-crds",
                "--namespace",
                namespace,
                "--create-namespace",
                "--kubeconfig",
                kube.kubeconfig().toString(),
                "--set",
                "image.repository=" + registry.host() + "/helm-oci-operator"));
        helm.run(install).orThrow();
        try {
            JsonNode deployment = json(
                    kube.kubectl("get", "deployment", release + "-helm-oci-operator", "-n", namespace, "-o", "json")
                            .orThrow());
            assertThat(deployment
                            .path("spec")
                            .path("template")
                            .path("spec")
                            .path("containers")
                            .get(0)
                            .path("image")
                            .asText())
                    .isEqualTo(registry.host() + "/helm-oci-operator:" + chartVersion);
            assertHardened(deployment.path("spec").path("template").path("spec"));
            assertThat(kube.kubectl("get", "clusterrole", release + "-helm-oci-operator")
                            .exitCode())
                    .isZero();
            assertThat(kube.kubectl("get", "crd", "helmocicharts.helmoci.io").exitCode())
                    .isZero();
        } finally {
            helm.run(List.of(
                            "uninstall",
                            release,
                            "--namespace",
                            namespace,
                            "--kubeconfig",
                            kube.kubeconfig().toString()))
                    .orThrow();
        }
        assertThat(kube.kubectl("get", "clusterrole", release + "-helm-oci-operator")
                        .exitCode())
                .as("uninstalled")
                .isNotZero();
    }

    /** The operator syncs its own chart like any other (the engine accepts what `make chart` pushed), and both helm majors render it. */
    @Test
    void theOperatorSyncsItsOwnChartAndHelmRendersItFromTheArtifactUrl() throws IOException {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        String namespace = kube.createNamespace("self");
        Path resource = Files.writeString(
                work.resolve("self.yaml"), """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: helm-oci-operator}
                spec: {url: "%s", version: "%s", insecure: true}
                """.formatted(registry.ociUrl("charts/helm-oci-operator"), chartVersion));
        try (OperatorProcess operator = OperatorProcess.start(kube.kubeconfig(), work.resolve("operator"), Map.of())) {
            kube.kubectl("apply", "-n", namespace, "-f", resource.toString()).orThrow();
            ProcessRunner.Result wait = kube.kubectl(
                    "wait", "--for=condition=Ready", "hoc/helm-oci-operator", "-n", namespace, "--timeout=60s");
            if (wait.exitCode() != 0) {
                throw operator.withLogAttached(new AssertionError("own chart not Ready: " + wait.stderr()
                        + kube.kubectl("get", "hoc", "helm-oci-operator", "-n", namespace, "-o", "yaml")
                                .stdout()));
            }
            HelmOciChartStatus status = kube.client()
                    .resources(HelmOciChart.class)
                    .inNamespace(namespace)
                    .withName("helm-oci-operator")
                    .get()
                    .getStatus();
            assertThat(status.getResolvedVersion()).isEqualTo(chartVersion);
            for (HelmMajor major : HelmMajor.values()) {
                assertThat(new HelmCli(work.resolve("self-" + major), major)
                                .run(List.of(
                                        "template",
                                        "self",
                                        status.getArtifact().getUrl(),
                                        "--namespace",
                                        "self-system"))
                                .orThrow()
                                .stdout())
                        .as("%s template", major)
                        .contains("kind: Deployment", "name: self-helm-oci-operator", "kind: ClusterRole");
            }
        }
    }

    /** The hardening of deploy/manifests/20-deployment.yaml, which no value can loosen. */
    private static void assertHardened(JsonNode pod) {
        JsonNode podSecurity = pod.path("securityContext");
        assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(podSecurity.path("runAsUser").asInt()).isEqualTo(10001);
        assertThat(podSecurity.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
        JsonNode security = pod.path("containers").get(0).path("securityContext");
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(security.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isEmpty()) {
                    documents.add(d);
                }
            });
        }
        return documents;
    }

    private static JsonNode json(ProcessRunner.Result result) {
        try {
            return new ObjectMapper().readTree(result.stdout());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
