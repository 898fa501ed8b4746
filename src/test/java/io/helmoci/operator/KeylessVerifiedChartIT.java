package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.condition;
import static io.helmoci.operator.HelmOciChartAssert.conditionStatus;
import static io.helmoci.operator.HelmOciChartAssert.readyMessage;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.FulcioServer;
import io.helmoci.testbed.FulcioStandIn;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.KubernetesOidcIssuer;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TimestampAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cosign keyless end to end: the packaged operator, a real kube-apiserver and registry, charts signed
 * by the real cosign with a certificate of the Fulcio stand-in and a signed timestamp of the real
 * Sigstore timestamp authority; the trusted root comes from a Secret ({@code trusted_root.json}). A
 * keyless-signed chart is served with its certificate identity and issuer on status; the same tag
 * re-pushed and signed with an expired certificate without timestamp, or by another identity, is
 * refused with its reason while the verified chart stays served and indexed.
 */
class KeylessVerifiedChartIT {
    static final String IDENTITY = "https://kubernetes.io/namespaces/charts/serviceaccounts/publisher";
    static final String ISSUER = "https://oidc.helmoci.test";

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static HelmCli helm;
    static ChartFactory charts;
    static CosignCli cosign;
    static CosignCli.KeyPair signingKey;
    static FulcioStandIn fulcio;
    static TimestampAuthority tsa;
    static byte[] trustedRoot;
    static HelmOciChartAssert resources;

    @AutoClose
    static OperatorProcess operator;

    @BeforeAll
    static void startOperator() {
        OperatorItSetUp setUp = OperatorItSetUp.prepare(work);
        kube = setUp.kube();
        helm = setUp.helm();
        charts = setUp.charts();
        cosign = new CosignCli(work.resolve("cosign"));
        signingKey = cosign.generateKeyPair(work.resolve("ephemeral-key"));
        fulcio = new FulcioStandIn("fulcio stand-in");
        tsa = TimestampAuthority.shared();
        trustedRoot = FulcioStandIn.trustedRoot(List.of(fulcio), tsa.chain());
        operator = setUp.startOperator();
        resources = new HelmOciChartAssert(kube, operator);
    }

    private static void trustedRootSecret(String namespace) {
        kube.client()
                .secrets()
                .inNamespace(namespace)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName("sigstore")
                        .endMetadata()
                        .addToData("trusted_root.json", Base64.getEncoder().encodeToString(trustedRoot))
                        .build())
                .create();
    }

    /** A HelmOciChart for {@code keyless/<chart>} 1.0.0 that trusts {@code identityRegexp} from {@link #ISSUER}. */
    private static void apply(String namespace, String chart, String identityRegexp) {
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
                    provider: cosign
                    secretRef:
                      name: sigstore
                    matchOIDCIdentity:
                      - issuer: "^https://oidc\\\\.helmoci\\\\.test$"
                        subject: "%s"
                """.formatted(chart, registry.ociUrl("keyless/" + chart), identityRegexp));
    }

    private static String pushAndSign(
            String chart, String description, FulcioStandIn.Issued certificate, boolean timestamp) {
        String digest = helm.push(
                        registry, charts.create(ChartSpec.of(chart, "1.0.0").description(description)), "keyless")
                .digest();
        cosign.signKeyless(
                        registry,
                        "keyless/" + chart,
                        digest,
                        signingKey,
                        certificate,
                        timestamp ? tsa.timestampUrl() : null,
                        true)
                .orThrow();
        return digest;
    }

    private static FulcioStandIn.Issued certificate(String identity, Instant notBefore, Instant notAfter, String dir) {
        return fulcio.issue(signingKey.publicKey(), identity, ISSUER, notBefore, notAfter, work.resolve(dir));
    }

    private static void reconcileNow(String namespace, String name, String token) {
        kube.kubectl(
                        "annotate",
                        "hoc/" + name,
                        "-n",
                        namespace,
                        Constants.REQUESTED_AT_ANNOTATION + "=" + token,
                        "--overwrite")
                .orThrow();
    }

    @Test
    void aKeylessChartIsServedWithItsIdentityAndRefusedRepushesLeaveItServedAndIndexed() {
        String namespace = kube.createNamespace("keyless");
        trustedRootSecret(namespace);
        Instant now = Instant.now();
        String signed = pushAndSign(
                "published", "first", certificate(IDENTITY, now.minusSeconds(60), now.plusSeconds(600), "c1"), true);
        apply(namespace, "published", "^https://kubernetes\\\\.io/namespaces/charts/serviceaccounts/publisher$");

        HelmOciChart ready = resources.await(
                namespace, "published", c -> "True".equals(conditionStatus(c, Constants.CONDITION_READY)), "Ready");
        assertThat(ready.getStatus().getVerification().getProvider()).isEqualTo("cosign");
        assertThat(ready.getStatus().getVerification().getManifestDigest()).isEqualTo(signed);
        assertThat(ready.getStatus().getVerification().getSigner())
                .contains(IDENTITY)
                .contains(ISSUER);
        assertThat(conditionStatus(ready, Constants.CONDITION_SOURCE_VERIFIED)).isEqualTo("True");
        assertThat(condition(ready, Constants.CONDITION_SOURCE_VERIFIED)
                        .map(Condition::getMessage)
                        .orElse(""))
                .contains(IDENTITY)
                .contains(ISSUER);
        String url = ready.getStatus().getArtifact().getUrl();
        assertThat(operator.get(url).statusCode()).isEqualTo(200);
        String index = indexOf(namespace);
        assertThat(index).contains(url);

        // Re-pushed under the same tag, signed with a certificate that had expired, and no timestamp.
        String expired = pushAndSign(
                "published",
                "second, expired certificate",
                certificate(IDENTITY, now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)), "c2"),
                false);
        reconcileNow(namespace, "published", "expired");
        HelmOciChart refused = resources.await(
                namespace,
                "published",
                c -> "CertificateInvalid".equals(readyReason(c)),
                "Ready=False CertificateInvalid");
        assertThat(readyMessage(refused)).contains(expired).contains("no signed timestamp");
        assertThat(conditionStatus(refused, Constants.CONDITION_SOURCE_VERIFIED))
                .isEqualTo("False");
        assertStillServed(namespace, refused, url, signed);

        // Re-pushed again, signed (with a timestamp) by an identity the resource does not trust.
        String other = pushAndSign(
                "published",
                "third, another identity",
                certificate(
                        "https://kubernetes.io/namespaces/charts/serviceaccounts/intruder",
                        now.minusSeconds(60),
                        now.plusSeconds(600),
                        "c3"),
                true);
        reconcileNow(namespace, "published", "intruder");
        HelmOciChart untrusted = resources.await(
                namespace,
                "published",
                c -> "SignerNotTrusted".equals(readyReason(c))
                        && readyMessage(c).contains(other),
                "Ready=False SignerNotTrusted");
        assertThat(readyMessage(untrusted)).contains("serviceaccounts/intruder");
        assertStillServed(namespace, untrusted, url, signed);
    }

    @Test
    void aChartSignedByAnotherIdentityNeverGetsAnArtifact() {
        String namespace = kube.createNamespace("keyless-other");
        trustedRootSecret(namespace);
        Instant now = Instant.now();
        pushAndSign(
                "foreign",
                "signed by someone else",
                certificate(IDENTITY, now.minusSeconds(60), now.plusSeconds(600), "c4"),
                true);
        apply(namespace, "foreign", "^https://kubernetes\\\\.io/namespaces/charts/serviceaccounts/release-bot$");

        HelmOciChart refused = resources.await(
                namespace, "foreign", c -> "SignerNotTrusted".equals(readyReason(c)), "Ready=False SignerNotTrusted");
        assertThat(refused.getStatus().getArtifact()).isNull();
        assertThat(refused.getStatus().getVerification()).isNull();
        assertThat(HelmOciChartAssert.conditionReason(refused, Constants.CONDITION_SOURCE_VERIFIED))
                .isEqualTo("SignerNotTrusted");
    }

    /** The real Fulcio, trusting this API server's ServiceAccount tokens: what a CI job in the cluster would sign with. */
    @Test
    void aChartSignedThroughTheRealFulcioWithAServiceAccountTokenIsServedWithThatIdentity() throws Exception {
        String namespace = kube.createNamespace("keyless-fulcio");
        kube.client()
                .serviceAccounts()
                .inNamespace(namespace)
                .resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("release-bot")
                        .endMetadata()
                        .build())
                .create();
        try (KubernetesOidcIssuer issuer = KubernetesOidcIssuer.start(kube, work.resolve("oidc"));
                FulcioServer fulcio = FulcioServer.start(work.resolve("fulcio"))) {
            byte[] root = FulcioStandIn.trustedRootOf(List.of(fulcio.chain()), tsa.chain());
            kube.client()
                    .secrets()
                    .inNamespace(namespace)
                    .resource(new SecretBuilder()
                            .withNewMetadata()
                            .withName("sigstore")
                            .endMetadata()
                            .addToData("trusted_root.json", Base64.getEncoder().encodeToString(root))
                            .build())
                    .create();
            String digest = helm.push(registry, charts.create(ChartSpec.of("fulciochart", "1.0.0")), "keyless")
                    .digest();
            String token = kube.kubectl("create", "token", "release-bot", "-n", namespace, "--audience", "sigstore")
                    .orThrow()
                    .stdout()
                    .strip();
            cosign.signWithFulcio(registry, "keyless/fulciochart", digest, fulcio.url(), token, tsa.timestampUrl())
                    .orThrow();
            String identity = "https://kubernetes.io/namespaces/" + namespace + "/serviceaccounts/release-bot";
            kube.apply(
                    namespace, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata:
                      name: fulciochart
                    spec:
                      url: %s
                      version: "1.0.0"
                      insecure: true
                      verify:
                        provider: cosign
                        secretRef:
                          name: sigstore
                        matchOIDCIdentity:
                          - issuer: "^https://localhost$"
                            subject: "^%s$"
                    """.formatted(registry.ociUrl("keyless/fulciochart"), identity.replace(".", "\\\\.")));

            HelmOciChart ready = resources.await(
                    namespace,
                    "fulciochart",
                    c -> "True".equals(conditionStatus(c, Constants.CONDITION_READY)),
                    "Ready");
            assertThat(ready.getStatus().getVerification().getManifestDigest()).isEqualTo(digest);
            assertThat(ready.getStatus().getVerification().getSigner())
                    .isEqualTo("certificate " + identity + " issued by " + KubernetesOidcIssuer.ISSUER);
            assertThat(conditionStatus(ready, Constants.CONDITION_SOURCE_VERIFIED))
                    .isEqualTo("True");
            assertThat(operator.get(ready.getStatus().getArtifact().getUrl()).statusCode())
                    .isEqualTo(200);
        }
    }

    private static void assertStillServed(String namespace, HelmOciChart chart, String url, String digest) {
        assertThat(chart.getStatus().getArtifact().getUrl()).isEqualTo(url);
        assertThat(chart.getStatus().getManifestDigest()).isEqualTo(digest);
        assertThat(chart.getStatus().getVerification().getManifestDigest()).isEqualTo(digest);
        assertThat(operator.get(url).statusCode()).isEqualTo(200);
        assertThat(indexOf(namespace)).contains(url);
    }

    private static String indexOf(String namespace) {
        var response = operator.get(operator.baseUrl() + "/charts/" + namespace + "/index.yaml");
        assertThat(response.statusCode()).isEqualTo(200);
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
