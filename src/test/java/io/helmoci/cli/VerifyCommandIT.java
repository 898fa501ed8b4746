package io.helmoci.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.FulcioStandIn;
import io.helmoci.testbed.Gpg;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.NotationCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TimestampAuthority;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code helm-oci verify} and {@code helm-oci pull --verify} on one chart version signed three ways
 * by the real tools (helm provenance, cosign bundle, notation JWS) and one unsigned version: for each
 * provider the command's verdict equals that of {@code helm pull --verify}, {@code cosign verify} and
 * {@code notation verify} on the same artifact.
 */
class VerifyCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static HelmCli helm;

    @AutoClose
    static Gpg gpg;

    static Gpg.Key gpgKey;
    static Path pubring;
    static CosignCli cosign;
    static CosignCli.KeyPair cosignKey;
    static CosignCli.KeyPair otherCosignKey;
    static NotationCli notation;
    static Path trustPolicy;
    static String signedDigest;
    static String unsignedDigest;

    @BeforeAll
    static void signOneVersionThreeWays() throws Exception {
        helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work);
        gpg = new Gpg(work.resolve("gnupg"));
        gpgKey = gpg.generateKey("Trio Publisher", "trio@example.test");
        Path secring = gpg.exportSecretKeyring(gpgKey, work.resolve("secring.gpg"));
        pubring = gpg.exportPublicKeyring(gpgKey, work.resolve("pubring.gpg"));
        signedDigest = helm.push(registry, charts.createSigned(ChartSpec.of("trio", "1.0.0"), gpgKey, secring), "cli")
                .digest();
        unsignedDigest =
                helm.push(registry, charts.create("trio", "2.0.0"), "cli").digest();

        cosign = new CosignCli(work.resolve("cosign"));
        cosignKey = cosign.generateKeyPair(work.resolve("cosign-key"));
        otherCosignKey = cosign.generateKeyPair(work.resolve("other-cosign-key"));
        cosign.sign(registry, "cli/trio", signedDigest, cosignKey, true).orThrow();

        notation = new NotationCli(work.resolve("notation"));
        notation.generateTestCertificate("trio-publisher", true);
        notation.sign(registry, "cli/trio", signedDigest, "trio-publisher").orThrow();
        notation.importPolicy(NotationCli.trustPolicy(
                registry.reference("cli/trio"),
                "strict",
                "trio-publisher",
                NotationCli.testCertificateIdentity("trio-publisher")));
        trustPolicy = notation.trustPolicyFile();
        Files.createDirectories(work.resolve("pulled"));
    }

    static List<String> policyFlags(String provider) {
        return switch (provider) {
            case "helm" -> List.of("--keyring", pubring.toString());
            case "cosign" -> List.of("--key", cosignKey.publicKey().toString());
            default ->
                List.of(
                        "--verify-provider",
                        "notation",
                        "--trust-policy",
                        trustPolicy.toString(),
                        "--trust-store",
                        notation.trustStoreDir().toString());
        };
    }

    /** The real tool's verdict on {@code cli/trio@digest} ({@code version} for helm, which pulls by tag). */
    static boolean referenceAccepts(String provider, String digest, String version) {
        ProcessRunner.Result result = switch (provider) {
            case "helm" ->
                helm.run(List.of(
                        "pull",
                        registry.ociUrl("cli/trio"),
                        "--version",
                        version,
                        "--verify",
                        "--keyring",
                        pubring.toString(),
                        "-d",
                        work.resolve("pulled").toString(),
                        "--plain-http"));
            case "cosign" -> cosign.verify(registry, "cli/trio", digest, cosignKey.publicKey());
            default -> notation.verify(registry, "cli/trio", digest);
        };
        System.out.println(provider + " reference verdict on " + version + ": " + result.exitCode());
        return result.exitCode() == 0;
    }

    @ParameterizedTest
    @ValueSource(strings = {"helm", "cosign", "notation"})
    void verifyAcceptsTheSignedVersionWithItsSignerAndRefusesTheUnsignedOneAsTheRealToolDoes(String provider)
            throws Exception {
        Run signed =
                cli("verify", registry.ociUrl("cli/trio"), "--version", "1.0.0", "-o", "json", policyFlags(provider));
        assertThat(signed.exitCode).as(signed.out + signed.err).isZero();
        JsonNode verification = JSON.readTree(signed.out).path("verification");
        assertThat(verification.path("provider").asText()).isEqualTo(provider);
        assertThat(verification.path("subjectDigest").asText()).isEqualTo(signedDigest);
        JsonNode signer = verification.path("signer");
        switch (provider) {
            case "helm" -> assertThat(signer.path("pgpKeyId").asText()).isEqualTo(gpgKey.keyId());
            case "cosign" -> assertThat(signer.path("keyFingerprint").asText()).startsWith("sha256:");
            default -> assertThat(signer.path("certificateSubject").asText()).contains("CN=trio-publisher");
        }
        assertThat(referenceAccepts(provider, signedDigest, "1.0.0")).isTrue();

        Run unsigned =
                cli("verify", registry.ociUrl("cli/trio"), "--version", "2.0.0", "-o", "json", policyFlags(provider));
        assertThat(unsigned.exitCode).isEqualTo(1);
        assertThat(JSON.readTree(unsigned.out).path("error").path("reason").asText())
                .isEqualTo("SignatureNotFound");
        assertThat(referenceAccepts(provider, unsignedDigest, "2.0.0")).isFalse();
    }

    @Test
    void pullWithVerifyWritesOnlyAVerifiedChart(@TempDir Path dest) throws Exception {
        Run signed = cli(
                "pull",
                registry.ociUrl("cli/trio"),
                "--version",
                "1.0.0",
                "--verify",
                "-d",
                dest.toString(),
                policyFlags("cosign"));
        assertThat(signed.exitCode).as(signed.err).isZero();
        assertThat(dest.resolve("trio-1.0.0.tgz")).exists();
        assertThat(signed.out)
                .contains("Verified:          cosign (sigstore-bundle)")
                .contains("Signed by:         key sha256:");

        Run unsigned = cli(
                "pull",
                registry.ociUrl("cli/trio"),
                "--version",
                "2.0.0",
                "--verify",
                "-d",
                dest.toString(),
                policyFlags("cosign"));
        assertThat(unsigned.exitCode).isEqualTo(1);
        assertThat(unsigned.err).startsWith("Error: SignatureNotFound: ").contains("cosign sign --key");
        assertThat(dest.resolve("trio-2.0.0.tgz")).doesNotExist();
    }

    @Test
    void anotherKeyIsNotTrustedAndPolicyFlagsNeedVerify(@TempDir Path dest) throws Exception {
        Run other = cli(
                "verify",
                registry.ociUrl("cli/trio:1.0.0"),
                "-o",
                "json",
                List.of("--key", otherCosignKey.publicKey().toString()));
        assertThat(other.exitCode).isEqualTo(1);
        assertThat(JSON.readTree(other.out).path("error").path("reason").asText())
                .isEqualTo("SignerNotTrusted");
        assertThat(cosign.verify(registry, "cli/trio", signedDigest, otherCosignKey.publicKey())
                        .exitCode())
                .isNotZero();

        assertThat(cli("pull", registry.ociUrl("cli/trio:1.0.0"), "-d", dest.toString(), policyFlags("cosign"))
                        .exitCode)
                .isEqualTo(2);
        Run noPolicy = cli("verify", registry.ociUrl("cli/trio:1.0.0"), "-o", "json", List.of());
        assertThat(noPolicy.exitCode).isEqualTo(1);
        assertThat(JSON.readTree(noPolicy.out).path("error").path("reason").asText())
                .isEqualTo("VerificationPolicyInvalid");
    }

    /**
     * Keyless (certificate of the Fulcio stand-in, signed timestamp of the real timestamp authority):
     * accepted with the identity, refused for another identity and for an expired certificate without
     * timestamp, each as {@code cosign verify --trusted-root --certificate-identity-regexp ...} decides.
     */
    @Test
    void keylessVerdictsAgreeWithCosignVerify() throws Exception {
        String identity = "https://kubernetes.io/namespaces/charts/serviceaccounts/publisher";
        String issuer = "https://oidc.helmoci.test";
        FulcioStandIn fulcio = new FulcioStandIn("cli fulcio stand-in");
        TimestampAuthority tsa = TimestampAuthority.shared();
        Path trustedRoot = Files.write(
                work.resolve("keyless-trusted_root.json"), FulcioStandIn.trustedRoot(List.of(fulcio), tsa.chain()));
        ChartFactory charts = new ChartFactory(helm, work.resolve("keyless-charts"));
        java.time.Instant now = java.time.Instant.now();
        String timestamped =
                helm.push(registry, charts.create("keyless", "1.0.0"), "cli").digest();
        cosign.signKeyless(
                        registry,
                        "cli/keyless",
                        timestamped,
                        cosignKey,
                        fulcio.issue(
                                cosignKey.publicKey(),
                                identity,
                                issuer,
                                java.time.Duration.ofMinutes(10),
                                work.resolve("keyless-cert-1")),
                        tsa.timestampUrl(),
                        true)
                .orThrow();
        String expired =
                helm.push(registry, charts.create("keyless", "2.0.0"), "cli").digest();
        cosign.signKeyless(
                        registry,
                        "cli/keyless",
                        expired,
                        cosignKey,
                        fulcio.issue(
                                cosignKey.publicKey(),
                                identity,
                                issuer,
                                now.minusSeconds(7200),
                                now.minusSeconds(3600),
                                work.resolve("keyless-cert-2")),
                        null,
                        true)
                .orThrow();
        record Case(String version, String digest, String identityRegexp, String expectedReason) {}
        List<Case> cases = List.of(
                new Case("1.0.0", timestamped, "serviceaccounts/publisher$", null),
                new Case("1.0.0", timestamped, "serviceaccounts/other$", "SignerNotTrusted"),
                new Case("2.0.0", expired, "serviceaccounts/publisher$", "CertificateInvalid"));
        for (Case c : cases) {
            Run run = cli(
                    "verify",
                    registry.ociUrl("cli/keyless"),
                    "--version",
                    c.version(),
                    "-o",
                    "json",
                    List.of(
                            "--certificate-identity-regexp",
                            c.identityRegexp(),
                            "--certificate-oidc-issuer-regexp",
                            "^https://oidc\\.helmoci\\.test$",
                            "--trusted-root",
                            trustedRoot.toString()));
            boolean cosignAccepts = cosign.verifyKeyless(
                                    registry,
                                    "cli/keyless",
                                    c.digest(),
                                    trustedRoot,
                                    c.identityRegexp(),
                                    "^https://oidc\\.helmoci\\.test$")
                            .exitCode()
                    == 0;
            System.out.println(
                    "keyless " + c + ": helm-oci exit " + run.exitCode() + ", cosign accepts " + cosignAccepts);
            assertThat(run.exitCode() == 0).as(c + ": " + run.out()).isEqualTo(cosignAccepts);
            if (c.expectedReason() == null) {
                JsonNode signer = JSON.readTree(run.out()).path("verification").path("signer");
                assertThat(signer.path("certificateSubject").asText()).isEqualTo(identity);
                assertThat(signer.path("certificateIssuer").asText()).isEqualTo(issuer);
            } else {
                assertThat(JSON.readTree(run.out()).path("error").path("reason").asText())
                        .isEqualTo(c.expectedReason());
            }
        }
    }

    private static Run cli(String command, String ref, Object... rest) {
        List<String> args = new ArrayList<>(List.of(
                command,
                ref,
                "--plain-http",
                "--cache-dir",
                work.resolve("cache").toString()));
        for (Object arg : rest) {
            if (arg instanceof List<?> list) {
                list.forEach(a -> args.add(a.toString()));
            } else {
                args.add(arg.toString());
            }
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = HelmOciCli.run(
                args.toArray(String[]::new),
                new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exitCode, String out, String err) {}
}
