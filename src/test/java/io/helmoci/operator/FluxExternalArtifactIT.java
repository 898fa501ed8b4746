package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.HelmControllerProcess;
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
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, Flux: the packaged operator publishes a HelmOciChart as a Flux ExternalArtifact, and
 * Flux's real helm-controller (v1.4.3, ExternalArtifact feature gate on) installs a HelmRelease with
 * {@code chartRef: {kind: ExternalArtifact}} from it, downloading the archive from the operator's
 * artifact server on loopback, all on a real kube-apiserver and a real registry. A newer version
 * picked by a semver range upgrades the release; a moved tag under a digest pin leaves both the
 * ExternalArtifact and the release on the last good revision; deleting the HelmOciChart deletes
 * the ExternalArtifact (the operator does it: this API server runs no garbage collector).
 */
class FluxExternalArtifactIT {
    private static final String OPTIONAL_RBAC = "deploy/optional/flux-externalartifacts-rbac.yaml";
    private static final Pattern PUSHED_DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static HelmCli helm;
    static ChartFactory charts;
    static HelmOciChartAssert hoc;

    @AutoClose
    static OperatorProcess operator;

    @AutoClose
    static HelmControllerProcess helmController;

    @BeforeAll
    static void start() {
        OperatorItSetUp setUp = OperatorItSetUp.prepare(work);
        kube = setUp.kube();
        helm = setUp.helm();
        charts = setUp.charts();
        // Before the operator starts, so that it publishes ExternalArtifacts from the first reconcile.
        assertThat(HelmControllerProcess.applyCrds(kube))
                .contains("externalartifacts.source.toolkit.fluxcd.io", "helmreleases.helm.toolkit.fluxcd.io");
        operator = setUp.startOperator();
        helmController = HelmControllerProcess.start(kube.kubeconfig(), work.resolve("helm-controller"));
        hoc = new HelmOciChartAssert(kube, operator);
    }

    @Test
    void helmControllerInstallsUpgradesAndKeepsTheLastGoodRevisionOfTheExternalArtifact() {
        String ns = kube.createNamespace("flux-ea");
        String one = push("flux", "1.0.0", "first");
        kube.apply(ns, helmOciChart("demo", "\">=1.0.0 <2.0.0\"", null));
        GenericKubernetesResource artifact = awaitArtifact(ns, "demo", revision("1.0.0", one));

        // The ExternalArtifact: owned by the HelmOciChart, pointing back to it, the served archive.
        HelmOciChart chart = hoc.get(ns, "demo");
        OwnerReference owner = artifact.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getKind()).isEqualTo("HelmOciChart");
        assertThat(owner.getUid()).isEqualTo(chart.getMetadata().getUid());
        assertThat(owner.getController()).isTrue();
        assertThat(spec(artifact, "sourceRef"))
                .containsEntry("kind", "HelmOciChart")
                .containsEntry("name", "demo")
                .containsEntry("apiVersion", "helmoci.io/v1alpha1");
        Map<String, Object> served = fluxArtifact(artifact);
        assertThat(served.get("url")).isEqualTo(chart.getStatus().getArtifact().getUrl());
        assertThat(served.get("digest"))
                .isEqualTo(chart.getStatus().getArtifact().getDigest());
        assertThat(((Number) served.get("size")).longValue())
                .isEqualTo(chart.getStatus().getArtifact().getSize());
        assertThat(readyStatus(artifact)).isEqualTo("True");

        // helm-controller installs it: the release's ConfigMap exists, helm list shows the release.
        kube.apply(ns, helmRelease("demo", "demo"));
        ConfigMap installed = awaitConfigMap(
                ns, "demo-settings", cm -> "first".equals(cm.getData().get("marker")));
        assertThat(installed.getData().get("chartVersion")).isEqualTo("1.0.0+" + one.substring(7, 19));
        assertThat(helmList(ns)).contains("demo").contains("deployed").contains("demo-1.0.0+" + one.substring(7, 19));

        // A newer version inside the range: the ExternalArtifact moves, helm-controller upgrades.
        String two = push("flux", "1.1.0", "second");
        awaitArtifact(ns, "demo", revision("1.1.0", two));
        awaitConfigMap(ns, "demo-settings", cm -> "second".equals(cm.getData().get("marker")));
        awaitHistory(ns, "demo", 2);

        // Pin 1.1.0 by digest, then move its tag to other content: the operator refuses it (DigestMismatch);
        // the ExternalArtifact keeps the pinned revision, Ready=False; the release stays revision 2.
        kube.apply(ns, helmOciChart("demo", "\"1.1.0\"", two));
        hoc.awaitReady(ns, "demo");
        String moved = push("flux", "1.1.0", "moved");
        assertThat(moved).isNotEqualTo(two);
        hoc.await(
                ns,
                "demo",
                c -> "DigestMismatch".equals(HelmOciChartAssert.readyReason(c)),
                "Ready=False DigestMismatch after the tag moved");
        GenericKubernetesResource refused =
                awaitArtifactWhere(ns, "demo", a -> "False".equals(readyStatus(a)), "ExternalArtifact Ready=False");
        assertThat(fluxArtifact(refused).get("revision")).isEqualTo(revision("1.1.0", two));
        assertThat(readyReason(refused)).isEqualTo("DigestMismatch");
        // helm-controller reconciles the HelmRelease on request and finds nothing new to install.
        requestHelmReleaseReconcile(ns, "demo");
        assertThat(kube.client()
                        .configMaps()
                        .inNamespace(ns)
                        .withName("demo-settings")
                        .get()
                        .getData())
                .containsEntry("marker", "second");
        assertThat(helmHistoryRevisions(ns, "demo")).isEqualTo(2);

        // Deleting the HelmOciChart deletes its ExternalArtifact.
        kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(ns)
                .withName("demo")
                .delete();
        hoc.awaitTrue(() -> externalArtifact(ns, "demo").isEmpty(), "the ExternalArtifact deleted");
    }

    /**
     * spec.verify: a signed 1.0.0 is installed; an unsigned 1.1.0 inside the range is refused
     * (SignatureNotFound), and neither the ExternalArtifact nor the release moves to it.
     */
    @Test
    void anUnverifiedNewerVersionLeavesTheExternalArtifactAndTheReleaseOnTheVerifiedOne() throws IOException {
        String ns = kube.createNamespace("flux-verify");
        CosignCli cosign = new CosignCli(work.resolve("cosign"));
        CosignCli.KeyPair key = cosign.generateKeyPair(work.resolve("cosign-key"));
        kube.client()
                .secrets()
                .inNamespace(ns)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("cosign-keys")
                        .endMetadata()
                        .addToData(
                                "cosign.pub", Base64.getEncoder().encodeToString(Files.readAllBytes(key.publicKey())))
                        .build())
                .create();
        String signed = push("flux-verify", "1.0.0", "signed");
        cosign.sign(registry, "flux-verify/demo", signed, key, true).orThrow();
        kube.apply(ns, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: verified
                spec:
                  url: %s
                  version: ">=1.0.0 <2.0.0"
                  interval: 2s
                  insecure: true
                  externalArtifact: true
                  verify:
                    provider: cosign
                    secretRef:
                      name: cosign-keys
                """.formatted(registry.ociUrl("flux-verify/demo")));
        awaitArtifact(ns, "verified", revision("1.0.0", signed));
        kube.apply(ns, helmRelease("verified", "verified"));
        awaitConfigMap(
                ns, "verified-settings", cm -> "signed".equals(cm.getData().get("marker")));

        push("flux-verify", "1.1.0", "unsigned");
        hoc.await(
                ns,
                "verified",
                c -> "SignatureNotFound".equals(HelmOciChartAssert.readyReason(c)),
                "Ready=False SignatureNotFound for the unsigned 1.1.0");
        GenericKubernetesResource refused =
                awaitArtifactWhere(ns, "verified", a -> "False".equals(readyStatus(a)), "ExternalArtifact Ready=False");
        assertThat(readyReason(refused)).isEqualTo("SignatureNotFound");
        assertThat(fluxArtifact(refused).get("revision")).isEqualTo(revision("1.0.0", signed));
        requestHelmReleaseReconcile(ns, "verified");
        assertThat(kube.client()
                        .configMaps()
                        .inNamespace(ns)
                        .withName("verified-settings")
                        .get()
                        .getData())
                .containsEntry("marker", "signed");
        assertThat(helmHistoryRevisions(ns, "verified")).isEqualTo(1);
    }

    @Test
    void aHelmOciChartThatDoesNotAskForOneGetsNoExternalArtifact() {
        String ns = kube.createNamespace("flux-none");
        String digest = push("flux-plain", "1.0.0", "plain");
        kube.apply(ns, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: plain
                spec:
                  url: %s
                  version: "1.0.0"
                  insecure: true
                """.formatted(registry.ociUrl("flux-plain/demo")));
        hoc.awaitReady(ns, "plain");
        assertThat(hoc.get(ns, "plain").getStatus().getManifestDigest()).isEqualTo(digest);
        // Ready is written after the ExternalArtifact step of the same reconcile: none was made.
        assertThat(externalArtifact(ns, "plain")).isEmpty();
    }

    /**
     * As the ServiceAccount of deploy/manifests, the operator may not write ExternalArtifacts
     * (ExternalArtifactFailed, saying what to apply); with deploy/optional/flux-externalartifacts-rbac.yaml
     * it recovers on its own and may delete what it made. A shard of its own keeps the main operator out.
     */
    @Test
    void theServiceAccountNeedsTheOptionalRbacAndRecoversOnceItIsApplied() {
        kube.kubectl("apply", "-f", "deploy/manifests").orThrow();
        kube.kubectl("delete", "--ignore-not-found", "-f", OPTIONAL_RBAC).orThrow();
        String ns = kube.createNamespace("flux-rbac");
        push("flux-rbac", "1.0.0", "rbac");
        try (OperatorProcess restricted = OperatorProcess.start(
                kube.kubeconfig(),
                work.resolve("operator-rbac"),
                Map.of(
                        "kubernetes.impersonate.username", DeployManifestsIT.OPERATOR_ACCOUNT,
                        "kubernetes.impersonate.group",
                                "system:serviceaccounts,system:serviceaccounts:" + DeployManifestsIT.OPERATOR_NAMESPACE
                                        + ",system:authenticated",
                        "helmoci.leader-election.lease-namespace", DeployManifestsIT.OPERATOR_NAMESPACE,
                        "helmoci.leader-election.lease-name", "flux-rbac",
                        "helmoci.sharding.key", "flux-rbac",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.initial", "500",
                        "quarkus.operator-sdk.controllers.helm-oci-operator.retry.interval.max", "3000"))) {
            HelmOciChartAssert asServiceAccount = new HelmOciChartAssert(kube, restricted);
            kube.apply(ns, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: demo
                      labels:
                        sharding.helmoci.io/key: flux-rbac
                    spec:
                      url: %s
                      version: "1.0.0"
                      insecure: true
                      externalArtifact: true
                    """.formatted(registry.ociUrl("flux-rbac/demo")));
            HelmOciChart refused = asServiceAccount.await(
                    ns,
                    "demo",
                    c -> ConditionReasons.EXTERNAL_ARTIFACT_FAILED.equals(HelmOciChartAssert.readyReason(c)),
                    "Ready=False ExternalArtifactFailed without the RBAC");
            assertThat(HelmOciChartAssert.condition(refused, Constants.CONDITION_READY)
                            .orElseThrow()
                            .getMessage())
                    .contains("HTTP 403", "fluxExternalArtifacts.enabled=true", OPTIONAL_RBAC);
            assertThat(externalArtifact(ns, "demo")).isEmpty();

            kube.kubectl("apply", "-f", OPTIONAL_RBAC).orThrow();
            asServiceAccount.awaitReady(ns, "demo");
            assertThat(externalArtifact(ns, "demo")).isPresent();

            kube.client()
                    .resources(HelmOciChart.class)
                    .inNamespace(ns)
                    .withName("demo")
                    .delete();
            asServiceAccount.awaitTrue(() -> externalArtifact(ns, "demo").isEmpty(), "the ExternalArtifact deleted");
            assertThat(restricted.logs()).doesNotContain("Could not delete ExternalArtifact");
        } finally {
            kube.kubectl("delete", "--ignore-not-found", "-f", OPTIONAL_RBAC);
        }
    }

    @Test
    void theOptionalRbacManifestIsRenderedFromTheChart() throws IOException {
        Path optional = work.resolve("optional");
        ProcessRunner.run(
                        List.of(
                                "bash",
                                "tools/manifests.sh",
                                work.resolve("manifests").toString()),
                        Map.of("HELM", Tools.helm().toString(), "OPTIONAL_DIR", optional.toString()),
                        null,
                        null,
                        Duration.ofMinutes(1))
                .orThrow();
        assertThat(Files.readString(Path.of(OPTIONAL_RBAC)))
                .as("%s is out of date with the chart: run `make manifests` and commit the result", OPTIONAL_RBAC)
                .isEqualTo(Files.readString(optional.resolve("flux-externalartifacts-rbac.yaml")));
    }

    // ---- the chart: one ConfigMap naming its version and a marker of its content ----

    private static String push(String repository, String version, String marker) {
        Path dir = charts.chartDirectory(ChartSpec.of("demo", version).description(marker));
        try {
            try (Stream<Path> files = Files.walk(dir.resolve("templates"))) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.createDirectories(dir.resolve("templates"));
            Files.writeString(dir.resolve("templates").resolve("configmap.yaml"), """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: {{ .Release.Name }}-settings
                    data:
                      chartVersion: {{ .Chart.Version | quote }}
                      marker: {{ .Chart.Description | quote }}
                    """);
            Path out = Files.createTempDirectory(work, "packaged-");
            helm.run(List.of("package", dir.toString(), "-d", out.toString())).orThrow();
            Path tgz = out.resolve("demo-" + version + ".tgz");
            String digest = helm.push(registry, tgz, repository).digest();
            Matcher matcher = PUSHED_DIGEST.matcher(digest);
            assertThat(matcher.find()).as("pushed digest " + digest).isTrue();
            return matcher.group();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String helmOciChart(String name, String version, String digest) {
        return """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                spec:
                  url: %s
                  version: %s
                  interval: 2s
                  insecure: true
                  externalArtifact: true
                %s""".formatted(
                name, registry.ociUrl("flux/demo"), version, digest == null ? "" : "  digest: " + digest + "\n");
    }

    private static String helmRelease(String name, String artifact) {
        return """
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: %s
                spec:
                  interval: 10m
                  chartRef:
                    kind: ExternalArtifact
                    name: %s
                """.formatted(name, artifact);
    }

    private static String revision(String version, String digest) {
        return version + "@" + digest;
    }

    // ---- reading what the controllers did ----

    private static Optional<GenericKubernetesResource> externalArtifact(String ns, String name) {
        return Optional.ofNullable(kube.client()
                .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "ExternalArtifact")
                .inNamespace(ns)
                .withName(name)
                .get());
    }

    private static GenericKubernetesResource awaitArtifact(String ns, String name, String revision) {
        return awaitArtifactWhere(
                ns,
                name,
                a -> revision.equals(fluxArtifact(a).get("revision")),
                "ExternalArtifact revision " + revision);
    }

    private static GenericKubernetesResource awaitArtifactWhere(
            String ns, String name, Predicate<GenericKubernetesResource> condition, String what) {
        GenericKubernetesResource[] last = new GenericKubernetesResource[1];
        try {
            hoc.awaitTrue(
                    () -> {
                        last[0] = externalArtifact(ns, name).orElse(null);
                        return last[0] != null && condition.test(last[0]);
                    },
                    what);
        } catch (AssertionError e) {
            e.addSuppressed(new Throwable("ExternalArtifact:\n"
                    + kube.kubectl("get", "externalartifacts", "-n", ns, "-o", "yaml")
                            .stdout()));
            throw e;
        }
        return last[0];
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fluxArtifact(GenericKubernetesResource artifact) {
        Object status = artifact.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> map) || !(map.get("artifact") instanceof Map<?, ?> served)) {
            return Map.of();
        }
        return (Map<String, Object>) served;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource artifact, String field) {
        return (Map<String, Object>)
                ((Map<String, Object>) artifact.getAdditionalProperties().get("spec")).get(field);
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> ready(GenericKubernetesResource artifact) {
        Object status = artifact.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> map) || !(map.get("conditions") instanceof List<?> conditions)) {
            return Optional.empty();
        }
        return conditions.stream()
                .map(c -> (Map<String, Object>) c)
                .filter(c -> "Ready".equals(c.get("type")))
                .findFirst();
    }

    private static String readyStatus(GenericKubernetesResource artifact) {
        return ready(artifact).map(c -> (String) c.get("status")).orElse(null);
    }

    private static String readyReason(GenericKubernetesResource artifact) {
        return ready(artifact).map(c -> (String) c.get("reason")).orElse(null);
    }

    private static ConfigMap awaitConfigMap(String ns, String name, Predicate<ConfigMap> condition) {
        ConfigMap[] last = new ConfigMap[1];
        try {
            hoc.awaitTrue(
                    () -> {
                        last[0] = kube.client()
                                .configMaps()
                                .inNamespace(ns)
                                .withName(name)
                                .get();
                        return last[0] != null && last[0].getData() != null && condition.test(last[0]);
                    },
                    "ConfigMap " + name + " installed by helm-controller");
        } catch (AssertionError e) {
            throw helmController.withLogAttached(withHelmRelease(ns, e));
        }
        return last[0];
    }

    private static AssertionError withHelmRelease(String ns, AssertionError e) {
        e.addSuppressed(new Throwable("HelmReleases:\n"
                + kube.kubectl("get", "helmreleases", "-n", ns, "-o", "yaml").stdout()
                + "\nExternalArtifacts:\n"
                + kube.kubectl("get", "externalartifacts", "-n", ns, "-o", "yaml")
                        .stdout()));
        return e;
    }

    /** Sets reconcile.fluxcd.io/requestedAt and waits until helm-controller reports it handled. */
    private static void requestHelmReleaseReconcile(String ns, String name) {
        String token = Instant.now().toString();
        kube.kubectl(
                        "annotate",
                        "--overwrite",
                        "-n",
                        ns,
                        "helmrelease/" + name,
                        "reconcile.fluxcd.io/requestedAt=" + token)
                .orThrow();
        try {
            hoc.awaitTrue(
                    () -> token.equals(kube.kubectl(
                                    "get",
                                    "-n",
                                    ns,
                                    "helmrelease/" + name,
                                    "-o",
                                    "jsonpath={.status.lastHandledReconcileAt}")
                            .stdout()
                            .trim()),
                    "helm-controller handled the reconcile request");
        } catch (AssertionError e) {
            throw helmController.withLogAttached(withHelmRelease(ns, e));
        }
    }

    private static String helmList(String ns) {
        return helm.run(List.of(
                        "list", "-n", ns, "--kubeconfig", kube.kubeconfig().toString()))
                .orThrow()
                .stdout();
    }

    private static int helmHistoryRevisions(String ns, String release) {
        ProcessRunner.Result history = helm.run(List.of(
                        "history",
                        release,
                        "-n",
                        ns,
                        "--kubeconfig",
                        kube.kubeconfig().toString(),
                        "-o",
                        "json"))
                .orThrow();
        return (int) Pattern.compile("\"revision\":")
                .matcher(history.stdout())
                .results()
                .count();
    }

    private static void awaitHistory(String ns, String release, int revisions) {
        try {
            hoc.awaitTrue(() -> helmHistoryRevisions(ns, release) == revisions, "helm history of " + revisions);
        } catch (AssertionError e) {
            throw helmController.withLogAttached(withHelmRelease(ns, e));
        }
    }
}
