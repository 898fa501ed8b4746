package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.Gpg;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.NotationCli;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.verify end to end: the packaged operator, a real kube-apiserver and registry, charts signed by
 * the real cosign. A verified chart is served with SourceVerified=True and its signer; a chart
 * re-pushed under the same tag without a signature is refused while the verified one stays served;
 * an unchanged digest is not verified again; a never-verified chart never gets an artifact.
 */
class VerifiedChartIT {
    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static HelmCli helm;
    static ChartFactory charts;
    static CosignCli cosign;
    static CosignCli.KeyPair key;

    @AutoClose
    static OperatorProcess operator;

    @BeforeAll
    static void startOperator() {
        OperatorItSetUp setUp = OperatorItSetUp.prepare(work);
        kube = setUp.kube();
        helm = setUp.helm();
        charts = setUp.charts();
        cosign = new CosignCli(work.resolve("cosign"));
        key = cosign.generateKeyPair(work.resolve("key"));
        operator = setUp.startOperator();
    }

    private static void keySecret(String namespace) throws Exception {
        kube.client()
                .secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("cosign-keys")
                        .endMetadata()
                        .addToData(
                                "cosign.pub", Base64.getEncoder().encodeToString(Files.readAllBytes(key.publicKey())))
                        .build())
                .create();
    }

    private static void apply(String namespace, String name, String chart) {
        apply(namespace, name, chart, "cosign", "cosign-keys");
    }

    /** A HelmOciChart {@code name} for {@code verified/<chart>} 1.0.0, verified by {@code provider} with Secret {@code secret}. */
    private static void apply(String namespace, String name, String chart, String provider, String secret) {
        kube.apply(namespace, """
                apiVersion: helmoci.io/v1alpha1
                kind: HelmOciChart
                metadata:
                  name: %s
                spec:
                  url: %s
                  version: "1.0.0"
                  insecure: true
                  verify:
                    provider: %s
                    secretRef:
                      name: %s
                """.formatted(name, registry.ociUrl("verified/" + chart), provider, secret));
    }

    @Test
    void aSignedChartIsServedWithItsSignerAndAnUnsignedRepushIsRefusedWhileTheVerifiedOneStaysServed()
            throws Exception {
        String namespace = kube.createNamespace("verified");
        keySecret(namespace);
        String signed = helm.push(registry, charts.create("signed", "1.0.0"), "verified")
                .digest();
        cosign.sign(registry, "verified/signed", signed, key, true).orThrow();
        apply(namespace, "signed", "signed");

        HelmOciChart ready = await(
                namespace,
                "signed",
                c -> "True"
                        .equals(condition(c, Constants.CONDITION_READY)
                                .map(Condition::getStatus)
                                .orElse(null)),
                "Ready");
        HelmOciChartStatus status = ready.getStatus();
        assertThat(status.getVerification().getProvider()).isEqualTo("cosign");
        assertThat(status.getVerification().getManifestDigest()).isEqualTo(signed);
        assertThat(status.getVerification().getSigner()).startsWith("key sha256:");
        assertThat(status.getVerification().getPolicy()).startsWith("sha256:");
        assertThat(condition(ready, Constants.CONDITION_SOURCE_VERIFIED).map(Condition::getStatus))
                .contains("True");
        String url = status.getArtifact().getUrl();
        assertThat(operator.get(url).statusCode()).isEqualTo(200);

        // Unchanged digest, unchanged policy: a reconcile sends no signature request.
        registry.resetRequests();
        kube.kubectl(
                        "annotate",
                        "hoc/signed",
                        "-n",
                        namespace,
                        Constants.REQUESTED_AT_ANNOTATION + "=again-1",
                        "--overwrite")
                .orThrow();
        await(
                namespace,
                "signed",
                c -> "again-1".equals(c.getStatus().getLastHandledReconcileAt()),
                "the requested reconcile");
        assertThat(registry.requests())
                .as("requests of a reconcile with nothing new")
                .isNotEmpty()
                .noneMatch(r -> r.path().contains("/referrers/") || r.path().contains("/manifests/sha256-"));

        // The same tag re-pushed with other content and no signature: refused, the verified chart stays served.
        String repushed = helm.push(
                        registry,
                        charts.create(ChartSpec.of("signed", "1.0.0").description("changed, unsigned")),
                        "verified")
                .digest();
        kube.kubectl(
                        "annotate",
                        "hoc/signed",
                        "-n",
                        namespace,
                        Constants.REQUESTED_AT_ANNOTATION + "=again-2",
                        "--overwrite")
                .orThrow();
        HelmOciChart refused = await(
                namespace,
                "signed",
                c -> "SignatureNotFound"
                        .equals(condition(c, Constants.CONDITION_READY)
                                .map(Condition::getReason)
                                .orElse(null)),
                "Ready=False SignatureNotFound");
        assertThat(condition(refused, Constants.CONDITION_READY)
                        .map(Condition::getMessage)
                        .orElse(""))
                .contains(repushed);
        assertThat(condition(refused, Constants.CONDITION_SOURCE_VERIFIED).map(Condition::getStatus))
                .contains("False");
        assertThat(refused.getStatus().getArtifact().getUrl()).isEqualTo(url);
        assertThat(refused.getStatus().getManifestDigest()).isEqualTo(signed);
        assertThat(refused.getStatus().getVerification().getManifestDigest()).isEqualTo(signed);
        assertThat(operator.get(url).statusCode()).isEqualTo(200);
    }

    @Test
    void aChartThatNeverVerifiedNeverGetsAnArtifact() throws Exception {
        String namespace = kube.createNamespace("unverified");
        keySecret(namespace);
        helm.push(registry, charts.create("unsigned", "1.0.0"), "verified");
        apply(namespace, "unsigned", "unsigned");

        HelmOciChart refused = await(
                namespace,
                "unsigned",
                c -> "SignatureNotFound"
                        .equals(condition(c, Constants.CONDITION_READY)
                                .map(Condition::getReason)
                                .orElse(null)),
                "Ready=False SignatureNotFound");
        assertThat(refused.getStatus().getArtifact()).isNull();
        assertThat(refused.getStatus().getVerification()).isNull();
        assertThat(condition(refused, Constants.CONDITION_SOURCE_VERIFIED).map(Condition::getReason))
                .contains("SignatureNotFound");
    }

    @Test
    void aHelmProvenanceSignedChartIsServedWithItsPgpKeyAndRemovingVerifyShowsInStatus() throws Exception {
        String namespace = kube.createNamespace("provenance");
        try (Gpg gpg = new Gpg(work.resolve("gnupg-" + namespace))) {
            Gpg.Key signer = gpg.generateKey("Operator Test Publisher", "publisher@example.test");
            Path secring = gpg.exportSecretKeyring(signer, work.resolve("secring-" + namespace + ".gpg"));
            Path pubring = gpg.exportPublicKeyring(signer, work.resolve("pubring-" + namespace + ".gpg"));
            helm.push(registry, charts.createSigned(ChartSpec.of("provchart", "1.0.0"), signer, secring), "verified");
            kube.client()
                    .secrets()
                    .inNamespace(namespace)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("helm-keyring")
                            .endMetadata()
                            .addToData("pubring.gpg", Base64.getEncoder().encodeToString(Files.readAllBytes(pubring)))
                            .build())
                    .create();
            apply(namespace, "provchart", "provchart", "helm", "helm-keyring");

            HelmOciChart ready = await(
                    namespace,
                    "provchart",
                    c -> condition(c, Constants.CONDITION_SOURCE_VERIFIED)
                                    .map(Condition::getStatus)
                                    .filter("True"::equals)
                                    .isPresent()
                            && "True"
                                    .equals(condition(c, Constants.CONDITION_READY)
                                            .map(Condition::getStatus)
                                            .orElse(null)),
                    "Ready and verified");
            assertThat(ready.getStatus().getVerification().getProvider()).isEqualTo("helm");
            assertThat(ready.getStatus().getVerification().getSigner())
                    .contains(signer.keyId())
                    .contains(signer.userId());
            assertThat(condition(ready, Constants.CONDITION_SOURCE_VERIFIED)
                            .map(Condition::getMessage)
                            .orElse(""))
                    .contains(signer.keyId());

            kube.kubectl(
                            "patch",
                            "hoc/provchart",
                            "-n",
                            namespace,
                            "--type=json",
                            "-p",
                            "[{\"op\":\"remove\",\"path\":\"/spec/verify\"}]")
                    .orThrow();
            HelmOciChart unverified = await(
                    namespace,
                    "provchart",
                    c -> condition(c, Constants.CONDITION_SOURCE_VERIFIED).isEmpty()
                            && c.getStatus().getObservedGeneration() != null
                            && c.getStatus().getObservedGeneration() == 2L,
                    "SourceVerified removed");
            assertThat(unverified.getStatus().getVerification()).isNull();
            assertThat(condition(unverified, Constants.CONDITION_READY).map(Condition::getStatus))
                    .contains("True");
        }
    }

    @Test
    void aNotationSignedChartIsServedWithItsCertificateSubject() throws Exception {
        String namespace = kube.createNamespace("notation");
        NotationCli notation = new NotationCli(work.resolve("notation-" + namespace));
        notation.generateTestCertificate("chart-publisher", true);
        String digest = helm.push(registry, charts.create("notchart", "1.0.0"), "verified")
                .digest();
        notation.sign(registry, "verified/notchart", digest, "chart-publisher").orThrow();
        String policy = NotationCli.trustPolicy(
                registry.reference("verified/notchart"),
                "strict",
                "publishers",
                NotationCli.testCertificateIdentity("chart-publisher"));
        kube.client()
                .secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("notation-trust")
                        .endMetadata()
                        .addToStringData("trustpolicy.json", policy)
                        .addToData(
                                "publisher.crt",
                                Base64.getEncoder()
                                        .encodeToString(Files.readAllBytes(notation.certificate("chart-publisher"))))
                        .build())
                .create();
        apply(namespace, "notchart", "notchart", "notation", "notation-trust");

        HelmOciChart ready = await(
                namespace,
                "notchart",
                c -> "True"
                        .equals(condition(c, Constants.CONDITION_READY)
                                .map(Condition::getStatus)
                                .orElse(null)),
                "Ready");
        assertThat(ready.getStatus().getVerification().getProvider()).isEqualTo("notation");
        assertThat(ready.getStatus().getVerification().getManifestDigest()).isEqualTo(digest);
        assertThat(ready.getStatus().getVerification().getSigner()).contains("CN=chart-publisher");
    }

    private static Optional<Condition> condition(HelmOciChart chart, String type) {
        return chart.getStatus() == null
                ? Optional.empty()
                : chart.getStatus().getConditions().stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst();
    }

    private static HelmOciChart await(String namespace, String name, Predicate<HelmOciChart> condition, String what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        HelmOciChart chart = null;
        while (Instant.now().isBefore(deadline)) {
            chart = kube.client()
                    .resources(HelmOciChart.class)
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
            if (chart != null && chart.getStatus() != null && condition.test(chart)) {
                return chart;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        ProcessRunner.Result yaml = kube.kubectl("get", "hoc", name, "-n", namespace, "-o", "yaml");
        throw operator.withLogAttached(new AssertionError("waited 60 s for " + what + ":\n" + yaml.stdout()));
    }
}
