package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.verify.Provider;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.Descriptor;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.OciManifests;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cosign key-based signatures made by the real {@code cosign sign} (v3: Sigstore bundle referrer by
 * default, and the legacy {@code .sig} tag), on a registry without the referrers API (distribution
 * v3 answers 404, so discovery goes through the referrers tag schema). The engine's verdict is
 * compared with {@code cosign verify --key --insecure-ignore-tlog} on every case.
 */
class CosignVerificationIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static HelmCli helm;
    static ChartFactory charts;
    static CosignCli cosign;
    static CosignCli.KeyPair trusted;
    static CosignCli.KeyPair other;

    @AutoClose
    static ChartPuller puller;

    static RawRegistryClient raw;

    @BeforeAll
    static void keys() {
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work);
        cosign = new CosignCli(work.resolve("cosign"));
        trusted = cosign.generateKeyPair(work.resolve("trusted-key"));
        other = cosign.generateKeyPair(work.resolve("other-key"));
        puller = new ChartPuller(work.resolve("store"));
        raw = RawRegistryClient.anonymous(registry);
    }

    /** Pushes chart {@code name version} under {@code cosign/<name>}; returns the manifest digest. */
    static String push(String name, String version) {
        return helm.push(registry, charts.create(ChartSpec.of(name, version)), "cosign")
                .digest();
    }

    static VerificationResult verify(String name, String version) {
        PullRequest request =
                PullerTestbed.request(registry, "cosign/" + name + ":" + version, Credentials.anonymous());
        Resolution resolution = puller.inspect(request);
        registry.resetRequests();
        long start = System.nanoTime();
        try {
            VerificationResult result = puller.verify(
                    request, resolution, VerificationPolicy.cosignKeys(List.of(read(trusted.publicKey()))));
            System.out.printf(
                    "[report] cosign %s (%s): verified in %.1f ms with %d registry requests: %s%n",
                    result.format(),
                    registry.implementation(),
                    (System.nanoTime() - start) / 1e6,
                    registry.requests().size(),
                    registry.requests());
            return result;
        } catch (EngineException e) {
            System.out.printf(
                    "[report] cosign refusal %s in %.1f ms with %d registry requests%n",
                    e.reason(),
                    (System.nanoTime() - start) / 1e6,
                    registry.requests().size());
            throw e;
        }
    }

    /** The reference verdict: {@code cosign verify --key <trusted> --insecure-ignore-tlog}. */
    static boolean cosignAccepts(String name, String digest) {
        ProcessRunner.Result result = cosign.verify(registry, "cosign/" + name, digest, trusted.publicKey());
        System.out.println("cosign verify " + name + "@" + digest + " -> " + result.exitCode() + " "
                + result.stderr().strip().lines().reduce((a, b) -> b).orElse(""));
        return result.exitCode() == 0;
    }

    @Test
    void aBundleReferrerSignedWithTheTrustedKeyVerifiesInFourRequestsAndCosignAgrees() {
        String digest = push("bundled", "1.0.0");
        cosign.sign(registry, "cosign/bundled", digest, trusted, true).orThrow();

        VerificationResult result = verify("bundled", "1.0.0");

        assertThat(result.provider()).isEqualTo(Provider.COSIGN);
        assertThat(result.format()).isEqualTo("sigstore-bundle");
        assertThat(result.subjectDigest()).isEqualTo(digest);
        assertThat(result.signer().keyFingerprint()).isEqualTo(fingerprint(trusted.publicKey()));
        assertThat(result.warnings()).anyMatch(w -> w.contains("transparency-log"));
        // referrers API (404 here), referrers tag (the index), the bundle manifest, the bundle blob
        assertThat(registry.requests())
                .extracting(RegistryFixture.RegistryRequest::withDigestsMasked)
                .containsExactly(
                        "GET /v2/cosign/bundled/referrers/<d>",
                        "GET /v2/cosign/bundled/manifests/<d>",
                        "GET /v2/cosign/bundled/manifests/<d>",
                        "GET /v2/cosign/bundled/blobs/<d>");
        assertThat(cosignAccepts("bundled", digest)).isTrue();
    }

    @Test
    void aLegacySigTagSignedWithTheTrustedKeyVerifiesAndCosignAgrees() {
        String digest = push("legacy", "1.0.0");
        cosign.sign(registry, "cosign/legacy", digest, trusted, false).orThrow();

        VerificationResult result = verify("legacy", "1.0.0");

        assertThat(result.format()).isEqualTo("cosign-simplesigning");
        assertThat(result.signer().keyFingerprint()).isEqualTo(fingerprint(trusted.publicKey()));
        // referrers API (404), referrers tag (404: no bundle), the .sig tag, the payload blob
        assertThat(registry.requests())
                .extracting(RegistryFixture.RegistryRequest::withDigestsMasked)
                .containsExactly(
                        "GET /v2/cosign/legacy/referrers/<d>",
                        "GET /v2/cosign/legacy/manifests/<d>",
                        "GET /v2/cosign/legacy/manifests/<d>.sig",
                        "GET /v2/cosign/legacy/blobs/<d>");
        assertThat(result.signatureDigest())
                .isEqualTo(raw.headManifestDigest("cosign/legacy", digest.replace(':', '-') + ".sig"));
        assertThat(cosignAccepts("legacy", digest)).isTrue();
    }

    @Test
    void aChartRePushedUnderTheSameTagWithoutANewSignatureIsRefusedAndCosignAgrees() {
        String first = push("repushed", "1.0.0");
        cosign.sign(registry, "cosign/repushed", first, trusted, true).orThrow();
        assertThat(verify("repushed", "1.0.0").subjectDigest()).isEqualTo(first);

        // Same tag, new content (another description), no new signature: the signature stays with the old digest.
        String second = helm.push(
                        registry,
                        charts.create(ChartSpec.of("repushed", "1.0.0").description("changed")),
                        "cosign")
                .digest();
        assertThat(second).isNotEqualTo(first);

        EngineException e = PullerTestbed.failure(Reason.SignatureNotFound, () -> verify("repushed", "1.0.0"));
        assertThat(e.getMessage()).contains(second);
        assertThat(cosignAccepts("repushed", second)).isFalse();
        assertThat(cosignAccepts("repushed", first)).isTrue();
    }

    @Test
    void anUnsignedChartHasNoSignatureAndCosignAgrees() {
        String digest = push("unsigned", "1.0.0");

        EngineException e = PullerTestbed.failure(Reason.SignatureNotFound, () -> verify("unsigned", "1.0.0"));
        assertThat(e.getMessage()).contains("cosign sign --key").contains(digest);
        assertThat(cosignAccepts("unsigned", digest)).isFalse();
    }

    @Test
    void signaturesWithAnotherKeyAreNotTrustedInBothFormatsAndCosignAgrees() {
        String bundled = push("otherkey", "1.0.0");
        cosign.sign(registry, "cosign/otherkey", bundled, other, true).orThrow();
        String legacy = push("otherkey", "2.0.0");
        cosign.sign(registry, "cosign/otherkey", legacy, other, false).orThrow();

        PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("otherkey", "1.0.0"));
        PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("otherkey", "2.0.0"));
        assertThat(cosignAccepts("otherkey", bundled)).isFalse();
        assertThat(cosignAccepts("otherkey", legacy)).isFalse();
    }

    @Test
    void aSignatureOfAnotherDigestIsInvalidInBothFormatsAndCosignAgrees() throws Exception {
        String signed = push("moved", "1.0.0");
        cosign.sign(registry, "cosign/moved", signed, trusted, true).orThrow();
        cosign.sign(registry, "cosign/moved", signed, trusted, false).orThrow();
        String unsigned = push("moved", "2.0.0");
        // Point 2.0.0's signature locations at 1.0.0's signatures: its referrers index and its .sig tag.
        byte[] index = raw.getManifest("cosign/moved", signed.replace(':', '-')).body();
        raw.pushManifest("cosign/moved", unsigned.replace(':', '-'), OciManifests.OCI_INDEX, index);
        byte[] sig = raw.getManifest("cosign/moved", signed.replace(':', '-') + ".sig")
                .body();
        raw.pushManifest("cosign/moved", unsigned.replace(':', '-') + ".sig", OciManifests.OCI_MANIFEST, sig);

        EngineException e = PullerTestbed.failure(Reason.SignatureInvalid, () -> verify("moved", "2.0.0"));
        assertThat(e.getMessage()).contains(signed).contains(unsigned);
        assertThat(cosignAccepts("moved", unsigned)).isFalse();
        assertThat(cosignAccepts("moved", signed)).isTrue();
    }

    @Test
    void aTamperedBundleSignatureIsInvalidAndCosignAgrees() throws Exception {
        String digest = push("tampered", "1.0.0");
        cosign.sign(registry, "cosign/tampered", digest, trusted, true).orThrow();
        String tag = digest.replace(':', '-');
        JsonNode index = JSON.readTree(raw.getManifest("cosign/tampered", tag).body());
        String referrer = index.path("manifests").get(0).path("digest").asText();
        ObjectNode manifest = (ObjectNode)
                JSON.readTree(raw.getManifest("cosign/tampered", referrer).body());
        ObjectNode bundle = (ObjectNode) JSON.readTree(raw.getBlob(
                        "cosign/tampered",
                        manifest.path("layers").get(0).path("digest").asText())
                .body());
        ObjectNode signature =
                (ObjectNode) bundle.path("dsseEnvelope").path("signatures").get(0);
        byte[] sig = Base64.getDecoder().decode(signature.path("sig").asText());
        sig[sig.length - 1] ^= 0x01;
        signature.put("sig", Base64.getEncoder().encodeToString(sig));
        Descriptor blob = raw.pushBlob(
                "cosign/tampered", "application/vnd.dev.sigstore.bundle.v0.3+json", JSON.writeValueAsBytes(bundle));
        ObjectNode layer = (ObjectNode) manifest.path("layers").get(0);
        layer.put("digest", blob.digest()).put("size", blob.size());
        byte[] tamperedManifest = JSON.writeValueAsBytes(manifest);
        Descriptor pushed = raw.pushManifest(
                "cosign/tampered",
                io.helmoci.testbed.Digests.sha256(tamperedManifest),
                OciManifests.OCI_MANIFEST,
                tamperedManifest);
        ObjectNode entry = (ObjectNode) index.path("manifests").get(0);
        entry.put("digest", pushed.digest()).put("size", pushed.size());
        raw.pushManifest("cosign/tampered", tag, OciManifests.OCI_INDEX, JSON.writeValueAsBytes(index));

        EngineException e = PullerTestbed.failure(Reason.SignatureInvalid, () -> verify("tampered", "1.0.0"));
        assertThat(e.getMessage()).contains("altered");
        assertThat(cosignAccepts("tampered", digest)).isFalse();
    }

    @Test
    void aTamperedLegacySignatureIsRefusedAndCosignAgrees() throws Exception {
        String digest = push("tamperedlegacy", "1.0.0");
        cosign.sign(registry, "cosign/tamperedlegacy", digest, trusted, false).orThrow();
        String tag = digest.replace(':', '-') + ".sig";
        ObjectNode manifest = (ObjectNode)
                JSON.readTree(raw.getManifest("cosign/tamperedlegacy", tag).body());
        ObjectNode annotations = (ObjectNode) manifest.path("layers").get(0).path("annotations");
        byte[] sig = Base64.getDecoder()
                .decode(annotations.path("dev.cosignproject.cosign/signature").asText());
        sig[sig.length - 1] ^= 0x01;
        annotations.put(
                "dev.cosignproject.cosign/signature", Base64.getEncoder().encodeToString(sig));
        raw.pushManifest("cosign/tamperedlegacy", tag, OciManifests.OCI_MANIFEST, JSON.writeValueAsBytes(manifest));

        // The legacy format does not name its key: an altered signature and another key's look the same.
        EngineException e = PullerTestbed.failure(Reason.SignerNotTrusted, () -> verify("tamperedlegacy", "1.0.0"));
        assertThat(e.getMessage()).contains("altered");
        assertThat(cosignAccepts("tamperedlegacy", digest)).isFalse();
    }

    static String fingerprint(Path pem) {
        String text = new String(read(pem), StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        return io.helmoci.testbed.Digests.sha256(der);
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
