package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.util.Base64URL;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.verify.NotationTrustStore;
import io.helmoci.engine.verify.Provider;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.Descriptor;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.NotationCli;
import io.helmoci.testbed.OciManifests;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RawRegistryClient;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notation JWS signatures made by the real {@code notation sign} with certificates from
 * {@code notation cert generate-test}, on Debian's docker-registry 2.8 (no referrers API: notation
 * and the engine both use the referrers tag schema). The engine reads the same trust policy and
 * trust store files as {@code notation verify}, and their verdicts are compared on every case.
 */
class NotationVerificationIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLISHER_DN = NotationCli.testCertificateIdentity("publisher");

    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)
            .extension();

    @TempDir
    static Path work;

    static HelmCli helm;
    static ChartFactory charts;
    static NotationCli notation;

    @AutoClose
    static ChartPuller puller;

    static RawRegistryClient raw;

    @BeforeAll
    static void certificates() {
        helm = new HelmCli(work.resolve("helm"));
        charts = new ChartFactory(helm, work);
        notation = new NotationCli(work.resolve("notation"));
        notation.generateTestCertificate("publisher", true);
        notation.generateTestCertificate("stranger", false);
        puller = new ChartPuller(work.resolve("store"));
        raw = RawRegistryClient.anonymous(registry);
    }

    /** One statement for {@code notation/<name>} at {@code level}, trusting store ca:publisher and {@code identity}. */
    static String policy(String name, String level, String identity) {
        if (level.equals("skip")) {
            return """
                    {"version": "1.0", "trustPolicies": [{"name": "charts", "registryScopes": ["%s"],
                      "signatureVerification": {"level": "skip"}}]}""".formatted(registry.reference("notation/" + name));
        }
        return NotationCli.trustPolicy(registry.reference("notation/" + name), level, "publisher", identity);
    }

    static String push(String name, String version) {
        return helm.push(registry, charts.create(ChartSpec.of(name, version)), "notation")
                .digest();
    }

    /** The engine and {@code notation verify} under the same policy file and trust store; asserts they agree, returns the engine's. */
    static VerificationResult verify(String name, String version, String digest, String policy) {
        notation.importPolicy(policy);
        ProcessRunner.Result reference = notation.verify(registry, "notation/" + name, digest);
        System.out.println("notation verify " + name + "@" + digest + " -> " + reference.exitCode() + " "
                + (reference.stdout() + reference.stderr()).strip().replace('\n', ' '));
        PullRequest request =
                PullerTestbed.request(registry, "notation/" + name + ":" + version, Credentials.anonymous());
        Resolution resolution = puller.inspect(request);
        VerificationPolicy engine = VerificationPolicy.notation(
                read(notation.trustPolicyFile()), NotationTrustStore.read(notation.trustStoreDir()));
        registry.resetRequests();
        long start = System.nanoTime();
        try {
            VerificationResult result = puller.verify(request, resolution, engine);
            System.out.printf(
                    "[report] notation (%s): verified in %.1f ms with %d registry requests: %s%n",
                    registry.implementation(),
                    (System.nanoTime() - start) / 1e6,
                    registry.requests().size(),
                    registry.requests());
            assertThat(reference.exitCode())
                    .as("notation verify agrees (accepts): " + reference)
                    .isZero();
            return result;
        } catch (EngineException e) {
            assertThat(reference.exitCode())
                    .as("notation verify agrees (refuses), engine said " + e)
                    .isNotZero();
            throw e;
        }
    }

    @Test
    void aSignatureByTheTrustedCertificateVerifiesStrictlyWithItsSubjectAndNotationAgrees() {
        String digest = push("signed", "1.0.0");
        notation.sign(registry, "notation/signed", digest, "publisher").orThrow();

        VerificationResult result = verify("signed", "1.0.0", digest, policy("signed", "strict", PUBLISHER_DN));

        assertThat(result.provider()).isEqualTo(Provider.NOTATION);
        assertThat(result.format()).isEqualTo("notation-jws");
        assertThat(result.subjectDigest()).isEqualTo(digest);
        assertThat(result.signer().certificateSubject()).isEqualTo("CN=publisher,O=Notary,L=Seattle,ST=WA,C=US");
        assertThat(result.signer().certificateIssuer()).isEqualTo("CN=publisher,O=Notary,L=Seattle,ST=WA,C=US");
        assertThat(result.warnings()).anyMatch(w -> w.contains("revocation not checked"));
        // referrers API (404 on 2.8), referrers tag (the index), the signature manifest, the JWS blob
        assertThat(registry.requests())
                .extracting(RegistryFixture.RegistryRequest::withDigestsMasked)
                .containsExactly(
                        "GET /v2/notation/signed/referrers/<d>",
                        "GET /v2/notation/signed/manifests/<d>",
                        "GET /v2/notation/signed/manifests/<d>",
                        "GET /v2/notation/signed/blobs/<d>");
    }

    @Test
    void anUnsignedChartHasNoSignatureAndNotationAgrees() {
        String digest = push("unsigned", "1.0.0");

        PullerTestbed.failure(
                Reason.SignatureNotFound, () -> verify("unsigned", "1.0.0", digest, policy("unsigned", "strict", "*")));
    }

    @Test
    void aCertificateOutsideTheTrustStoreIsNotTrustedUnderStrictButOnlyLoggedUnderAuditAndNotationAgrees() {
        String digest = push("stranger", "1.0.0");
        notation.sign(registry, "notation/stranger", digest, "stranger").orThrow();

        EngineException e = PullerTestbed.failure(
                Reason.SignerNotTrusted, () -> verify("stranger", "1.0.0", digest, policy("stranger", "strict", "*")));
        assertThat(e.getMessage()).contains("CN=stranger").contains("ca:publisher");
        VerificationResult audited = verify("stranger", "1.0.0", digest, policy("stranger", "audit", "*"));
        assertThat(audited.signer().certificateSubject()).contains("CN=stranger");
        assertThat(audited.warnings()).anyMatch(w -> w.startsWith("authenticity (logged by level audit)"));
        VerificationResult skipped = verify("stranger", "1.0.0", digest, policy("stranger", "skip", null));
        assertThat(skipped.signer()).isNull();
        assertThat(skipped.format()).isEqualTo("notation-skip");
    }

    @Test
    void aTrustedCertificateWithAnotherSubjectThanTheTrustedIdentityIsNotTrustedAndNotationAgrees() {
        String digest = push("identity", "1.0.0");
        notation.sign(registry, "notation/identity", digest, "publisher").orThrow();

        EngineException e = PullerTestbed.failure(
                Reason.SignerNotTrusted,
                () -> verify(
                        "identity",
                        "1.0.0",
                        digest,
                        policy(
                                "identity",
                                "permissive",
                                "x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=somebody-else")));
        assertThat(e.getMessage()).contains("trusted identities");
        // the subset match notation does: the mandatory attributes alone (no L, no CN) match the subject
        assertThat(verify(
                                "identity",
                                "1.0.0",
                                digest,
                                policy("identity", "permissive", "x509.subject: C=US, ST=WA, O=Notary"))
                        .signer())
                .isNotNull();
    }

    @Test
    void aSignatureOfAnotherDigestIsInvalidAndNotationAgrees() {
        String signed = push("moved", "1.0.0");
        notation.sign(registry, "notation/moved", signed, "publisher").orThrow();
        String unsigned = push("moved", "2.0.0");
        byte[] index =
                raw.getManifest("notation/moved", signed.replace(':', '-')).body();
        raw.pushManifest("notation/moved", unsigned.replace(':', '-'), OciManifests.OCI_INDEX, index);

        EngineException e = PullerTestbed.failure(
                Reason.SignatureInvalid,
                () -> verify("moved", "2.0.0", unsigned, policy("moved", "strict", PUBLISHER_DN)));
        assertThat(e.getMessage()).contains(signed).contains(unsigned);
    }

    @Test
    void aTamperedSignatureIsInvalidAndNotationAgrees() throws Exception {
        String digest = push("tampered", "1.0.0");
        notation.sign(registry, "notation/tampered", digest, "publisher").orThrow();
        String tag = digest.replace(':', '-');
        JsonNode index = JSON.readTree(raw.getManifest("notation/tampered", tag).body());
        ObjectNode entry = (ObjectNode) index.path("manifests").get(0);
        ObjectNode manifest = (ObjectNode) JSON.readTree(
                raw.getManifest("notation/tampered", entry.path("digest").asText())
                        .body());
        ObjectNode layer = (ObjectNode) manifest.path("layers").get(0);
        ObjectNode jws = (ObjectNode) JSON.readTree(
                raw.getBlob("notation/tampered", layer.path("digest").asText()).body());
        byte[] signature = new Base64URL(jws.path("signature").asText()).decode();
        signature[signature.length / 2] ^= 0x01;
        jws.put("signature", Base64URL.encode(signature).toString());
        Descriptor blob = raw.pushBlob("notation/tampered", "application/jose+json", JSON.writeValueAsBytes(jws));
        layer.put("digest", blob.digest()).put("size", blob.size());
        byte[] tampered = JSON.writeValueAsBytes(manifest);
        Descriptor pushed =
                raw.pushManifest("notation/tampered", Digests.sha256(tampered), OciManifests.OCI_MANIFEST, tampered);
        entry.put("digest", pushed.digest()).put("size", pushed.size());
        raw.pushManifest("notation/tampered", tag, OciManifests.OCI_INDEX, JSON.writeValueAsBytes(index));

        EngineException e = PullerTestbed.failure(
                Reason.SignatureInvalid,
                () -> verify("tampered", "1.0.0", digest, policy("tampered", "strict", PUBLISHER_DN)));
        assertThat(e.getMessage()).contains("altered");
    }

    /** A policy trusting ca:publisher and PUBLISHER_DN, and timestamps of tsa:{@code tsaStore}. */
    static String timestampPolicy(String name, String tsaStore) {
        return """
                {"version": "1.0", "trustPolicies": [{"name": "charts", "registryScopes": ["%s"],
                  "signatureVerification": {"level": "strict"}, "trustStores": ["ca:publisher", "tsa:%s"],
                  "trustedIdentities": ["%s"]}]}""".formatted(registry.reference("notation/" + name), tsaStore, PUBLISHER_DN);
    }

    /**
     * RFC 3161 countersignatures from the real Sigstore timestamp authority: with a tsa trust store in
     * the policy a timestamped signature verifies, one without a timestamp and one timestamped by an
     * authority outside the tsa store are refused ({@code CertificateInvalid}), as notation decides.
     */
    @Test
    void aTsaTrustStoreRequiresAVerifiedTimestampCountersignatureAndNotationAgrees() throws Exception {
        io.helmoci.testbed.TimestampAuthority tsa = io.helmoci.testbed.TimestampAuthority.shared();
        java.security.cert.X509Certificate tsaRoot = tsa.chain().get(tsa.chain().size() - 1);
        Path tsaRootFile = java.nio.file.Files.writeString(
                work.resolve("tsa-root.crt"), io.helmoci.testbed.TestCa.pem(List.of(tsaRoot)));
        notation.addCertificate("tsa", "sigstore-tsa", tsaRootFile);
        io.helmoci.testbed.FulcioStandIn other = new io.helmoci.testbed.FulcioStandIn("not a tsa");
        Path otherRootFile = java.nio.file.Files.writeString(
                work.resolve("other-root.crt"),
                io.helmoci.testbed.TestCa.pem(List.of(other.chain().get(1))));
        notation.addCertificate("tsa", "other-tsa", otherRootFile);

        String stamped = push("stamped", "1.0.0");
        notation.signWithTimestamp(registry, "notation/stamped", stamped, "publisher", tsa.timestampUrl(), tsaRootFile)
                .orThrow();
        VerificationResult result = verify("stamped", "1.0.0", stamped, timestampPolicy("stamped", "sigstore-tsa"));
        assertThat(result.warnings()).noneMatch(w -> w.contains("timestamp"));

        String unstamped = push("unstamped", "1.0.0");
        notation.sign(registry, "notation/unstamped", unstamped, "publisher").orThrow();
        EngineException missing = PullerTestbed.failure(
                Reason.CertificateInvalid,
                () -> verify("unstamped", "1.0.0", unstamped, timestampPolicy("unstamped", "sigstore-tsa")));
        assertThat(missing.getMessage()).contains("no RFC 3161 timestamp countersignature");

        EngineException foreign = PullerTestbed.failure(
                Reason.CertificateInvalid,
                () -> verify("stamped", "1.0.0", stamped, timestampPolicy("stamped", "other-tsa")));
        assertThat(foreign.getMessage()).contains("does not chain to a certificate of the tsa trust store");
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
