package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.verify.Provider;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.Gpg;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helm provenance on a real registry: charts signed by the real {@code helm package --sign} with
 * keys from the real GnuPG, pushed with their {@code .prov} by the real {@code helm push}; the
 * engine's verdict is compared with {@code helm pull --verify --keyring} on every case.
 */
class HelmProvenanceVerificationIT {
    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static HelmCli helm;
    static ChartFactory charts;

    @AutoClose
    static Gpg gpg;

    static Gpg.Key trusted;
    static Gpg.Key other;
    static Path trustedSecring;
    static Path otherSecring;
    static Path trustedPubring;

    @AutoClose
    static ChartPuller puller;

    @BeforeAll
    static void keysAndCharts() {
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work);
        gpg = new Gpg(work.resolve("gnupg"));
        trusted = gpg.generateKey("Chart Publisher", "publisher@example.test");
        other = gpg.generateKey("Someone Else", "other@example.test");
        trustedSecring = gpg.exportSecretKeyring(trusted, work.resolve("trusted-secring.gpg"));
        otherSecring = gpg.exportSecretKeyring(other, work.resolve("other-secring.gpg"));
        trustedPubring = gpg.exportPublicKeyring(trusted, work.resolve("trusted-pubring.gpg"));
        puller = new ChartPuller(work.resolve("store"));
    }

    /** {@code helm package --sign} with the key in {@code secring}; returns the .tgz (the .prov lies beside it). */
    static Path signedChart(String name, String version, Gpg.Key key, Path secring) {
        return signedChart(ChartSpec.of(name, version), key, secring);
    }

    static Path signedChart(ChartSpec spec, Gpg.Key key, Path secring) {
        Path tgz = charts.createSigned(spec, key, secring);
        assertThat(tgz.resolveSibling(tgz.getFileName() + ".prov")).exists();
        return tgz;
    }

    static VerificationResult verify(String repoAndTag) {
        PullRequest request = PullerTestbed.request(registry, repoAndTag, Credentials.anonymous());
        Resolution resolution = puller.inspect(request);
        registry.resetRequests();
        long start = System.nanoTime();
        VerificationResult result = puller.verify(request, resolution, VerificationPolicy.helm(read(trustedPubring)));
        System.out.printf(
                "[report] helm provenance (%s): verified in %.1f ms with %d registry requests: %s%n",
                registry.implementation(),
                (System.nanoTime() - start) / 1e6,
                registry.requests().size(),
                registry.requests());
        return result;
    }

    /** What {@code helm pull --verify --keyring <trusted>} says about the same artifact (the reference verdict). */
    static ProcessRunner.Result helmVerify(String repo, String version) {
        Path dest = work.resolve("helm-pulled-" + System.nanoTime());
        try {
            Files.createDirectories(dest);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> args = new ArrayList<>(List.of(
                "pull",
                registry.ociUrl(repo),
                "--version",
                version,
                "--verify",
                "--keyring",
                trustedPubring.toString(),
                "-d",
                dest.toString()));
        args.addAll(HelmCli.connectionFlags(registry));
        ProcessRunner.Result result = helm.run(args);
        System.out.println("helm pull --verify " + repo + ":" + version + " -> " + result.exitCode() + " "
                + result.stderr().strip());
        return result;
    }

    /** helm refused for a verification reason (not, say, a missing directory). */
    static void helmRefuses(String repo, String version, String because) {
        ProcessRunner.Result result = helmVerify(repo, version);
        assertThat(result.exitCode()).as("helm pull --verify: " + result).isNotZero();
        assertThat(result.stderr()).as("helm's reason").contains(because);
    }

    @Test
    void aChartSignedWithATrustedKeyVerifiesWithItsKeyIdAndHelmAgrees() {
        // YAML list lines start with "- ": the clear-signed text dash-escapes them ("- - web"), which the parser must
        // undo
        Path chart = signedChart(
                ChartSpec.of("signedchart", "1.0.0").set("keywords", List.of("web", "trailing   ")),
                trusted,
                trustedSecring);
        assertThat(read(chart.resolveSibling(chart.getFileName() + ".prov")))
                .asString()
                .contains("\n- - web\n");
        String manifestDigest = helm.push(registry, chart, "prov").digest();

        VerificationResult result = verify("prov/signedchart:1.0.0");
        // the chart manifest comes from the store (inspect put it there): only the provenance blob is fetched
        assertThat(registry.requests())
                .extracting(r -> r.method() + " " + r.path())
                .containsExactly("GET /v2/prov/signedchart/blobs/" + result.signatureDigest());
        assertThat(result.provider()).isEqualTo(Provider.HELM);
        assertThat(result.subjectDigest()).isEqualTo(manifestDigest);
        assertThat(result.signer().pgpKeyId()).isEqualTo(trusted.keyId());
        assertThat(result.signer().keyFingerprint()).isEqualTo(trusted.fingerprint());
        assertThat(result.signer().pgpUserId()).isEqualTo(trusted.userId());
        assertThat(result.signatureDigest())
                .isEqualTo(Digests.sha256(chart.resolveSibling(chart.getFileName() + ".prov")));
        ProcessRunner.Result helmVerdict = helmVerify("prov/signedchart", "1.0.0");
        assertThat(helmVerdict.exitCode())
                .as("helm pull --verify: " + helmVerdict)
                .isZero();
    }

    @Test
    void aChartWithoutProvenanceHasNoSignatureAndHelmAgrees() {
        Path chart = charts.create("unsigned", "1.0.0");
        helm.push(registry, chart, "prov");

        PullerTestbed.failure(Reason.SignatureNotFound, () -> verify("prov/unsigned:1.0.0"));
        helmRefuses("prov/unsigned", "1.0.0", "prov");
    }

    @Test
    void aChartSignedWithAnotherKeyIsNotTrustedAndHelmAgrees() {
        Path chart = signedChart("otherkey", "1.0.0", other, otherSecring);
        helm.push(registry, chart, "prov");

        EngineException e = PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("prov/otherkey:1.0.0"));
        assertThat(e.getMessage()).contains(other.keyId());
        helmRefuses("prov/otherkey", "1.0.0", "key");
    }

    @Test
    void provenanceOfAnotherArchiveIsAMismatchAndHelmAgrees() throws Exception {
        Path signed = signedChart("swapped", "1.0.0", trusted, trustedSecring);
        Path prov = signed.resolveSibling(signed.getFileName() + ".prov");
        // Another archive of the same name and version (different content), with the first one's .prov beside it.
        Path otherDir = charts.chartDirectory(ChartSpec.of("swapped", "1.0.0").description("different content"));
        Path out = work.resolve("swapped-unsigned");
        helm.run(List.of("package", otherDir.toString(), "-d", out.toString())).orThrow();
        Path other = out.resolve("swapped-1.0.0.tgz");
        Files.copy(prov, out.resolve("swapped-1.0.0.tgz.prov"));
        assertThat(Digests.sha256(other)).isNotEqualTo(Digests.sha256(signed));
        helm.push(registry, other, "prov");

        EngineException e = PullerTestbed.failure(Reason.ProvenanceMismatch, () -> verify("prov/swapped:1.0.0"));
        assertThat(e.getMessage())
                .contains(Digests.sha256(other))
                .contains(Digests.sha256(signed).substring("sha256:".length()));
        helmRefuses("prov/swapped", "1.0.0", "sha256 sum does not match");
    }

    @Test
    void anAlteredProvenanceTextFailsItsSignatureAndHelmAgrees() throws Exception {
        Path chart = signedChart("altered", "1.0.0", trusted, trustedSecring);
        Path prov = chart.resolveSibling(chart.getFileName() + ".prov");
        String text = Files.readString(prov, StandardCharsets.UTF_8);
        assertThat(text).contains("description: A Helm chart for Kubernetes");
        Files.writeString(
                prov,
                text.replace("description: A Helm chart for Kubernetes", "description: A Helm chart for Kubernetez"));
        helm.push(registry, chart, "prov");

        PullerTestbed.failure(Reason.SignatureInvalid, () -> verify("prov/altered:1.0.0"));
        helmRefuses("prov/altered", "1.0.0", "signature");
    }

    @Test
    void aMalformedKeyringIsAPolicyErrorBeforeAnyRequest() {
        registry.resetRequests();
        PullerTestbed.failure(
                Reason.VerificationPolicyInvalid,
                () -> io.helmoci.engine.verify.SignatureVerifier.forPolicy(
                        VerificationPolicy.helm("not a keyring".getBytes(StandardCharsets.UTF_8))));
        assertThat(registry.requests()).isEmpty();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
