package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.FulcioServer;
import io.helmoci.testbed.FulcioStandIn;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.KubernetesOidcIssuer;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TimestampAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless with the real Sigstore services run locally: the real Fulcio (ephemeral CA, no CT log)
 * trusting the test kube-apiserver's ServiceAccount token issuer, the real timestamp authority, and
 * the real {@code cosign sign --fulcio-url --identity-token} with a token from {@code kubectl create
 * token}. The engine's verdicts are compared with {@code cosign verify --trusted-root ...}.
 */
class FulcioKeylessVerificationIT {
    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    @AutoClose
    static KubernetesOidcIssuer issuer;

    @AutoClose
    static FulcioServer fulcio;

    @AutoClose
    static ChartPuller puller;

    static KubeApiServerFixture kube;
    static TimestampAuthority tsa;
    static HelmCli helm;
    static ChartFactory charts;
    static CosignCli cosign;
    static Path trustedRoot;
    static String namespace;
    static String identity;

    @BeforeAll
    static void sigstore() throws Exception {
        kube = KubeApiServerFixture.shared();
        issuer = KubernetesOidcIssuer.start(kube, work.resolve("oidc"));
        fulcio = FulcioServer.start(work.resolve("fulcio"));
        tsa = TimestampAuthority.shared();
        trustedRoot = Files.write(
                work.resolve("trusted_root.json"), FulcioStandIn.trustedRootOf(List.of(fulcio.chain()), tsa.chain()));
        namespace = kube.createNamespace("fulcio");
        for (String name : List.of("publisher", "intruder")) {
            kube.client()
                    .serviceAccounts()
                    .inNamespace(namespace)
                    .resource(new ServiceAccountBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .endMetadata()
                            .build())
                    .create();
        }
        identity = "https://kubernetes.io/namespaces/" + namespace + "/serviceaccounts/publisher";
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work);
        cosign = new CosignCli(work.resolve("cosign"));
        puller = new ChartPuller(work.resolve("store"));
    }

    static String token(String serviceAccount) {
        return kube.kubectl("create", "token", serviceAccount, "-n", namespace, "--audience", "sigstore")
                .orThrow()
                .stdout()
                .strip();
    }

    static String pushAndSign(String name, String serviceAccount) {
        String digest = helm.push(registry, charts.create(ChartSpec.of(name, "1.0.0")), "fulcio")
                .digest();
        ProcessRunner.Result signed = cosign.signWithFulcio(
                registry, "fulcio/" + name, digest, fulcio.url(), token(serviceAccount), tsa.timestampUrl());
        System.out.println("cosign sign (Fulcio) -> " + signed.exitCode() + " "
                + signed.stderr().strip());
        signed.orThrow();
        return digest;
    }

    static VerificationResult verify(String name, String identityRegexp) {
        PullRequest request = PullerTestbed.request(registry, "fulcio/" + name + ":1.0.0", Credentials.anonymous());
        return puller.verify(
                request,
                puller.inspect(request),
                VerificationPolicy.cosignKeyless(
                        List.of(new VerificationPolicy.IdentityMatcher("^https://localhost$", identityRegexp)),
                        CosignKeylessVerificationIT.read(trustedRoot)));
    }

    static boolean cosignAccepts(String name, String digest, String identityRegexp) {
        ProcessRunner.Result result = cosign.verifyKeyless(
                registry, "fulcio/" + name, digest, trustedRoot, identityRegexp, "^https://localhost$");
        System.out.println("cosign verify (Fulcio) " + name + " -> " + result.exitCode() + " "
                + result.stderr().strip().lines().reduce((a, b) -> b).orElse(""));
        return result.exitCode() == 0;
    }

    @Test
    void aChartSignedWithARealFulcioCertificateVerifiesWithTheServiceAccountIdentityAndCosignAgrees() {
        String digest = pushAndSign("signed", "publisher");
        String exactly = "^" + identity.replace(".", "\\.") + "$";

        VerificationResult result = verify("signed", exactly);

        assertThat(result.signer().certificateSubject()).isEqualTo(identity);
        assertThat(result.signer().certificateIssuer()).isEqualTo(KubernetesOidcIssuer.ISSUER);
        assertThat(cosignAccepts("signed", digest, exactly)).isTrue();
    }

    @Test
    void anotherServiceAccountIsNotTrustedAndCosignAgrees() {
        String digest = pushAndSign("intruded", "intruder");
        String exactly = "^" + identity.replace(".", "\\.") + "$";

        EngineException e = PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("intruded", exactly));
        assertThat(e.getMessage()).contains("serviceaccounts/intruder");
        assertThat(cosignAccepts("intruded", digest, exactly)).isFalse();
    }
}
