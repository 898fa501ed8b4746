package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.FulcioStandIn;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TimestampAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cosign keyless signatures made by the real {@code cosign sign} with a signed timestamp from the
 * real Sigstore timestamp authority (run on 127.0.0.1), and a certificate from a CA standing in for
 * Fulcio ({@link FulcioStandIn}: Fulcio's identity and issuer extensions, made in test code). The
 * engine's verdict is compared with {@code cosign verify --trusted-root --certificate-identity-regexp
 * --certificate-oidc-issuer-regexp --use-signed-timestamps} on every case.
 */
class CosignKeylessVerificationIT {
    static final String IDENTITY = "https://kubernetes.io/namespaces/charts/serviceaccounts/publisher";
    static final String ISSUER = "https://oidc.helmoci.test";
    static final String IDENTITY_REGEXP = "^https://kubernetes\\.io/namespaces/charts/serviceaccounts/publisher$";
    static final String ISSUER_REGEXP = "^https://oidc\\.helmoci\\.test$";

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static HelmCli helm;
    static ChartFactory charts;
    static CosignCli cosign;
    static CosignCli.KeyPair signingKey;
    static FulcioStandIn fulcio;
    static Path trustedRoot;

    static TimestampAuthority tsa;

    @AutoClose
    static ChartPuller puller;

    @BeforeAll
    static void sigstore() throws Exception {
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work);
        cosign = new CosignCli(work.resolve("cosign"));
        // The ephemeral key cosign would make for a Fulcio certificate; here the stand-in CA certifies it.
        signingKey = cosign.generateKeyPair(work.resolve("ephemeral-key"));
        fulcio = new FulcioStandIn("fulcio stand-in");
        tsa = TimestampAuthority.shared();
        trustedRoot =
                Files.write(work.resolve("trusted_root.json"), FulcioStandIn.trustedRoot(List.of(fulcio), tsa.chain()));
        puller = new ChartPuller(work.resolve("store"));
    }

    static String push(String name) {
        return helm.push(registry, charts.create(ChartSpec.of(name, "1.0.0")), "keyless")
                .digest();
    }

    static FulcioStandIn.Issued certificate(String name, Instant notBefore, Instant notAfter) {
        return fulcio.issue(
                signingKey.publicKey(), IDENTITY, ISSUER, notBefore, notAfter, work.resolve("cert-" + name));
    }

    static FulcioStandIn.Issued validCertificate(String name) {
        return fulcio.issue(
                signingKey.publicKey(), IDENTITY, ISSUER, Duration.ofMinutes(10), work.resolve("cert-" + name));
    }

    static VerificationResult verify(String name, String issuerRegexp, String identityRegexp, Path root) {
        PullRequest request = PullerTestbed.request(registry, "keyless/" + name + ":1.0.0", Credentials.anonymous());
        Resolution resolution = puller.inspect(request);
        registry.resetRequests();
        long start = System.nanoTime();
        try {
            VerificationResult result = puller.verify(
                    request,
                    resolution,
                    VerificationPolicy.cosignKeyless(
                            List.of(new VerificationPolicy.IdentityMatcher(issuerRegexp, identityRegexp)), read(root)));
            System.out.printf(
                    "[report] cosign keyless %s: verified in %.1f ms with %d registry requests%n",
                    result.format(),
                    (System.nanoTime() - start) / 1e6,
                    registry.requests().size());
            return result;
        } catch (EngineException e) {
            System.out.printf(
                    "[report] cosign keyless refusal %s in %.1f ms: %s%n",
                    e.reason(), (System.nanoTime() - start) / 1e6, e.getMessage());
            throw e;
        }
    }

    static VerificationResult verify(String name) {
        return verify(name, ISSUER_REGEXP, IDENTITY_REGEXP, trustedRoot);
    }

    static boolean cosignAccepts(String name, String digest, String issuerRegexp, String identityRegexp, Path root) {
        ProcessRunner.Result result =
                cosign.verifyKeyless(registry, "keyless/" + name, digest, root, identityRegexp, issuerRegexp);
        System.out.println("cosign verify (keyless) " + name + "@" + digest + " -> " + result.exitCode() + " "
                + result.stderr().strip().lines().reduce((a, b) -> b).orElse(""));
        return result.exitCode() == 0;
    }

    static boolean cosignAccepts(String name, String digest) {
        return cosignAccepts(name, digest, ISSUER_REGEXP, IDENTITY_REGEXP, trustedRoot);
    }

    @Test
    void aKeylessBundleWithASignedTimestampVerifiesWithItsIdentityAndCosignAgrees() {
        String digest = push("signed");
        cosign.signKeyless(
                        registry,
                        "keyless/signed",
                        digest,
                        signingKey,
                        validCertificate("signed"),
                        tsa.timestampUrl(),
                        true)
                .orThrow();

        VerificationResult result = verify("signed");

        assertThat(result.format()).isEqualTo("sigstore-bundle");
        assertThat(result.subjectDigest()).isEqualTo(digest);
        assertThat(result.signer().certificateSubject()).isEqualTo(IDENTITY);
        assertThat(result.signer().certificateIssuer()).isEqualTo(ISSUER);
        assertThat(result.signer().keyFingerprint()).isNull();
        assertThat(result.warnings()).anyMatch(w -> w.contains("transparency-log"));
        // referrers API (404 here), referrers tag (the index), the bundle manifest, the bundle blob
        assertThat(registry.requests()).hasSize(4);
        assertThat(cosignAccepts("signed", digest)).isTrue();
    }

    @Test
    void aLegacySigTagSignedKeylessWithATimestampVerifiesAndCosignAgrees() {
        String digest = push("legacy");
        cosign.signKeyless(
                        registry,
                        "keyless/legacy",
                        digest,
                        signingKey,
                        validCertificate("legacy"),
                        tsa.timestampUrl(),
                        false)
                .orThrow();

        VerificationResult result = verify("legacy");

        assertThat(result.format()).isEqualTo("cosign-simplesigning");
        assertThat(result.signer().certificateSubject()).isEqualTo(IDENTITY);
        assertThat(cosignAccepts("legacy", digest)).isTrue();
    }

    @Test
    void anotherIdentityOrIssuerIsNotTrustedAndCosignAgrees() {
        String digest = push("identity");
        cosign.signKeyless(
                        registry,
                        "keyless/identity",
                        digest,
                        signingKey,
                        validCertificate("identity"),
                        tsa.timestampUrl(),
                        true)
                .orThrow();
        String otherIdentity = "^https://kubernetes\\.io/namespaces/charts/serviceaccounts/other$";
        String otherIssuer = "^https://token\\.actions\\.githubusercontent\\.com$";

        EngineException identity = PullerTestbed.failure(
                Reason.SignerNotTrusted, () -> verify("identity", ISSUER_REGEXP, otherIdentity, trustedRoot));
        assertThat(identity.getMessage()).contains(IDENTITY).contains(ISSUER).contains("matchOIDCIdentity");
        PullerTestbed.failure(
                Reason.SignerNotTrusted, () -> verify("identity", otherIssuer, IDENTITY_REGEXP, trustedRoot));
        assertThat(cosignAccepts("identity", digest, ISSUER_REGEXP, otherIdentity, trustedRoot))
                .isFalse();
        assertThat(cosignAccepts("identity", digest, otherIssuer, IDENTITY_REGEXP, trustedRoot))
                .isFalse();
        // unanchored, as cosign matches: a part of the identity matches
        assertThat(verify("identity", "oidc", "serviceaccounts/publisher", trustedRoot)
                        .signer()
                        .certificateSubject())
                .isEqualTo(IDENTITY);
        assertThat(cosignAccepts("identity", digest, "oidc", "serviceaccounts/publisher", trustedRoot))
                .isTrue();
    }

    @Test
    void aValidCertificateWithoutASignedTimestampIsRefusedAndCosignAgrees() {
        String digest = push("untimestamped");
        cosign.signKeyless(
                        registry,
                        "keyless/untimestamped",
                        digest,
                        signingKey,
                        validCertificate("untimestamped"),
                        null,
                        true)
                .orThrow();

        EngineException e = PullerTestbed.failure(Reason.CertificateInvalid, () -> verify("untimestamped"));
        assertThat(e.getMessage()).contains("no signed timestamp").contains("--timestamp-server-url");
        assertThat(cosignAccepts("untimestamped", digest)).isFalse();
    }

    @Test
    void anExpiredCertificateWithoutATimestampIsRefusedAndCosignAgrees() {
        String digest = push("expired");
        Instant now = Instant.now();
        cosign.signKeyless(
                        registry,
                        "keyless/expired",
                        digest,
                        signingKey,
                        certificate("expired", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))),
                        null,
                        true)
                .orThrow();

        EngineException e = PullerTestbed.failure(Reason.CertificateInvalid, () -> verify("expired"));
        assertThat(e.getMessage()).contains("no signed timestamp").contains("valid from");
        assertThat(cosignAccepts("expired", digest)).isFalse();
    }

    @Test
    void aTimestampTakenAfterTheCertificateExpiredIsRefusedAndCosignAgrees() {
        String digest = push("late");
        Instant now = Instant.now();
        cosign.signKeyless(
                        registry,
                        "keyless/late",
                        digest,
                        signingKey,
                        certificate("late", now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1))),
                        tsa.timestampUrl(),
                        true)
                .orThrow();

        EngineException e = PullerTestbed.failure(Reason.CertificateInvalid, () -> verify("late"));
        assertThat(e.getMessage()).contains("was not valid");
        assertThat(cosignAccepts("late", digest)).isFalse();
    }

    @Test
    void aCertificateThatExpiredAfterATimestampedSignatureStillVerifiesAndCosignAgrees() {
        String digest = push("aged");
        Instant notAfter = Instant.now().plus(Duration.ofSeconds(20));
        cosign.signKeyless(
                        registry,
                        "keyless/aged",
                        digest,
                        signingKey,
                        certificate("aged", Instant.now().minus(Duration.ofMinutes(1)), notAfter),
                        tsa.timestampUrl(),
                        true)
                .orThrow();
        // Fulcio certificates live 10 minutes: verification happens after they expired, on the timestamp's time.
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> Instant.now().isAfter(notAfter.plusSeconds(1)));

        assertThat(verify("aged").signer().certificateSubject()).isEqualTo(IDENTITY);
        assertThat(cosignAccepts("aged", digest)).isTrue();
    }

    @Test
    void aCertificateOfAnotherCaOrATimestampOfAnotherAuthorityIsRefusedAndCosignAgrees() throws Exception {
        String digest = push("foreign");
        FulcioStandIn other = new FulcioStandIn("another CA");
        cosign.signKeyless(
                        registry,
                        "keyless/foreign",
                        digest,
                        signingKey,
                        other.issue(
                                signingKey.publicKey(),
                                IDENTITY,
                                ISSUER,
                                Duration.ofMinutes(10),
                                work.resolve("cert-foreign")),
                        tsa.timestampUrl(),
                        true)
                .orThrow();
        EngineException chain = PullerTestbed.failure(Reason.CertificateInvalid, () -> verify("foreign"));
        assertThat(chain.getMessage()).contains("does not chain");
        assertThat(cosignAccepts("foreign", digest)).isFalse();

        // The CA is trusted, but the trusted root names another timestamp authority.
        String stamped = push("othertsa");
        cosign.signKeyless(
                        registry,
                        "keyless/othertsa",
                        stamped,
                        signingKey,
                        validCertificate("othertsa"),
                        tsa.timestampUrl(),
                        true)
                .orThrow();
        Path otherTsaRoot = Files.write(
                work.resolve("trusted_root-other-tsa.json"), FulcioStandIn.trustedRoot(List.of(fulcio), other.chain()));
        EngineException timestamp = PullerTestbed.failure(
                Reason.CertificateInvalid, () -> verify("othertsa", ISSUER_REGEXP, IDENTITY_REGEXP, otherTsaRoot));
        assertThat(timestamp.getMessage()).contains("not signed by a timestamp authority of the trusted root");
        assertThat(cosignAccepts("othertsa", stamped, ISSUER_REGEXP, IDENTITY_REGEXP, otherTsaRoot))
                .isFalse();
        assertThat(cosignAccepts("othertsa", stamped)).isTrue();
    }

    @Test
    void aKeyBasedSignatureIsNotTrustedByAKeylessPolicy() {
        String digest = push("keybased");
        cosign.sign(registry, "keyless/keybased", digest, signingKey, true).orThrow();

        EngineException e = PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("keybased"));
        assertThat(e.getMessage()).contains("made with a key");
        assertThat(cosignAccepts("keybased", digest)).isFalse();
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
