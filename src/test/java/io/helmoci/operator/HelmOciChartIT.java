package io.helmoci.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator end to end: the packaged app as a process, a real kube-apiserver, a real registry
 * with charts pushed by the real helm, resources applied and awaited with the real kubectl.
 */
class HelmOciChartIT {
    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;
    static KubeApiServerFixture kube;
    static HelmCli helm;
    static OperatorProcess operator;
    static HelmCli.Pushed newest;

    @BeforeAll
    static void startOperator() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
        helm.push(registry, charts.create("demo", "1.0.0"), "charts");
        newest = helm.push(registry, charts.create("demo", "1.1.0"), "charts");
        helm.push(registry, charts.create("demo", "2.0.0-rc.1"), "charts");
        operator = OperatorProcess.start(kube.kubeconfig(), work.resolve("operator"), Map.of());
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void appliedResourceBecomesReadyAndServesItsVerifiedArtifact() throws Exception {
        String namespace = kube.createNamespace("ready");
        apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: demo
                spec:
                  url: %s
                  version: "^1.0.0"
                  insecure: true
                """.formatted(registry.ociUrl("charts/demo")));

        waitReady(namespace, "demo");

        HelmOciChartStatus status = kube.client().resources(HelmOciChart.class).inNamespace(namespace).withName("demo").get().getStatus();
        assertThat(status.getResolvedVersion()).isEqualTo("1.1.0");
        assertThat(status.getTag()).isEqualTo("1.1.0");
        assertThat(status.getManifestDigest()).isEqualTo(newest.digest());
        assertThat(status.getResolvedRef()).isEqualTo(registry.ociUrl("charts/demo") + "@" + newest.digest());
        assertThat(status.getShortDigest()).isEqualTo(newest.digest().substring(7, 19));
        assertThat(status.getObservedGeneration()).isEqualTo(1L);
        assertThat(status.getChart().getName()).isEqualTo("demo");
        assertThat(status.getAvailableVersions()).contains("1.1.0", "1.0.0");
        assertThat(status.getLastCheckedTime()).isNotBlank();
        assertThat(status.getArtifact().getUrl()).isEqualTo(operator.baseUrl() + "/artifacts/" + namespace + "/demo/demo-1.1.0.tgz");

        HttpResponse<byte[]> download = operator.get(status.getArtifact().getUrl());
        assertThat(download.statusCode()).isEqualTo(200);
        String sha256 = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body()));
        assertThat(sha256).isEqualTo(status.getContentDigest()).isEqualTo(status.getArtifact().getDigest());
        assertThat(download.headers().firstValue("X-Content-Digest")).hasValue(sha256);
        assertThat((long) download.body().length).isEqualTo(status.getArtifact().getSize());

        JsonNode index = new ObjectMapper(new YAMLFactory()).readTree(operator.get("/charts/" + namespace + "/index.yaml").body());
        assertThat(index.path("apiVersion").asText()).isEqualTo("v1");
        JsonNode entry = index.path("entries").path("demo").get(0);
        assertThat(entry.path("version").asText()).isEqualTo("1.1.0");
        assertThat(entry.path("digest").asText()).isEqualTo(sha256.substring(7));
        assertThat(entry.path("urls").get(0).asText()).isEqualTo(status.getArtifact().getUrl());

        ProcessRunner.Result table = kube.kubectl("get", "hoc", "-n", namespace).orThrow();
        assertThat(table.stdout()).contains("URL", "VERSION", "DIGEST", "READY", "STATUS", "AGE", "1.1.0", newest.digest().substring(7, 19), "True");
    }

    @Test
    void invalidSpecsAreRejectedByTheApiServerNamingTheField() throws Exception {
        String namespace = kube.createNamespace("invalid");
        ProcessRunner.Result badScheme = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-url}
                spec: {url: "https://example.com/charts/demo"}
                """);
        assertThat(badScheme.exitCode()).isNotZero();
        assertThat(badScheme.stderr()).contains("spec.url", "must start with oci://");

        ProcessRunner.Result rangeWithPin = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: range-pin}
                spec:
                  url: oci://example.com/charts/demo
                  version: "^1.0.0"
                  digest: sha256:%s
                """.formatted("a".repeat(64)));
        assertThat(rangeWithPin.exitCode()).isNotZero();
        assertThat(rangeWithPin.stderr()).contains("spec.version", "cannot be combined with a digest pin");

        ProcessRunner.Result exactWithPin = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: exact-pin}
                spec:
                  url: oci://example.com/charts/demo
                  version: "1.0.0"
                  digest: sha256:%s
                  suspend: true
                """.formatted("a".repeat(64)));
        assertThat(exactWithPin.exitCode()).as(exactWithPin.stderr()).isZero();

        ProcessRunner.Result badDigest = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-digest}
                spec: {url: "oci://example.com/charts/demo", digest: "sha256:XYZ"}
                """);
        assertThat(badDigest.stderr()).contains("spec.digest");

        ProcessRunner.Result badInterval = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: bad-interval}
                spec: {url: "oci://example.com/charts/demo", interval: "10 minutes"}
                """);
        assertThat(badInterval.stderr()).contains("spec.interval");

        ProcessRunner.Result tagInUrl = tryApply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata: {name: tag-in-url}
                spec: {url: "oci://example.com:5000/charts/demo:1.0.0"}
                """);
        assertThat(tagInUrl.stderr()).contains("spec.url", "must not carry a tag");
    }

    private static void waitReady(String namespace, String name) {
        ProcessRunner.Result wait = kube.kubectl("wait", "--for=condition=Ready", "hoc/" + name, "-n", namespace, "--timeout=60s");
        if (wait.exitCode() != 0) {
            ProcessRunner.Result yaml = kube.kubectl("get", "hoc", name, "-n", namespace, "-o", "yaml");
            throw operator.withLogAttached(new AssertionError("not Ready: " + wait.stderr() + "\n" + yaml.stdout()));
        }
    }

    private static void apply(String namespace, String yaml) throws Exception {
        tryApply(namespace, yaml).orThrow();
    }

    private static ProcessRunner.Result tryApply(String namespace, String yaml) throws Exception {
        Path file = Files.createTempFile(work, "resource", ".yaml");
        Files.writeString(file, yaml);
        return kube.kubectl("apply", "-n", namespace, "-f", file.toString());
    }
}
