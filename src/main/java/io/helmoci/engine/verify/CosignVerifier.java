package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Descriptor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cosign verification, key-based and keyless, in both storage formats cosign writes:
 * <ul>
 * <li>a Sigstore bundle (v0.3) as an OCI 1.1 referrer of the manifest, cosign v3's default: a DSSE
 *     envelope around an in-toto statement whose subject is the manifest digest; the signature covers
 *     the DSSE pre-authentication encoding (PAE);</li>
 * <li>the legacy {@code sha256-<hex>.sig} tag: one {@code simplesigning} layer per signature, the
 *     signature (ASN.1 DER) in the layer's {@code dev.cosignproject.cosign/signature} annotation over
 *     SHA-256 of the exact payload blob, whose {@code critical.image.docker-manifest-digest} must be
 *     the manifest digest.</li>
 * </ul>
 * Key-based: a signature is accepted when any of the policy's keys verifies it (as cosign accepts any
 * matching signature). The transparency-log entry and signed timestamps in a bundle are NOT checked:
 * this is what {@code cosign verify --key K --insecure-ignore-tlog} accepts, and the result says so.
 * Keyless (the policy names identities): the signing certificate, its signed timestamp and identity
 * are checked by {@link KeylessVerification}, in both formats.
 *
 * <p>Registry requests: the referrers API (plus the referrers tag when the registry lacks the API),
 * a manifest and a blob per bundle referrer until one verifies, then, if none did, the {@code .sig}
 * tag and a payload blob per signature layer.
 */
final class CosignVerifier implements SignatureVerifier {
    static final String BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
    static final String SIMPLESIGNING_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    static final String COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
    static final String NOT_CHECKED =
            "not checked: transparency-log entries and signed timestamps (key-based verification,"
                    + " as 'cosign verify --key ... --insecure-ignore-tlog')";

    static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    static final String TIMESTAMP_ANNOTATION = "dev.sigstore.cosign/rfc3161timestamp";

    private final List<PublicKeys.TrustedKey> keys;
    /** Set when the policy trusts identities (keyless) rather than keys. */
    private final KeylessVerification keyless;

    CosignVerifier(VerificationPolicy policy) {
        boolean byIdentity = !policy.identities().isEmpty() || policy.trustedRoot() != null;
        if (byIdentity && !policy.publicKeys().isEmpty()) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "A cosign policy trusts either public keys or keyless identities, not both."
                            + " Give the keys, or the identities (and the trusted root), not both.");
        }
        this.keyless = byIdentity ? new KeylessVerification(policy) : null;
        this.keys = byIdentity ? List.of() : PublicKeys.parse(policy.publicKeys());
    }

    /** Why one signature was refused. */
    private record Refusal(Reason reason, String message) {}

    @Override
    public VerificationResult verify(SignatureSource source) {
        List<Refusal> refusals = new ArrayList<>();
        int found = 0;
        for (Descriptor referrer : source.referrers(BUNDLE_TYPE)) {
            found++;
            ArtifactManifest manifest = source.manifest(referrer);
            Optional<Descriptor> layer = manifest.layers().stream()
                    .filter(l -> BUNDLE_TYPE.equals(l.mediaType()))
                    .findFirst();
            if (layer.isEmpty()) {
                refusals.add(new Refusal(
                        Reason.SignatureInvalid, "bundle referrer " + referrer.digest() + " has no bundle layer"));
                continue;
            }
            try {
                return verifyBundle(source, manifest.digest(), source.blob(layer.get()));
            } catch (SignatureRefusedException e) {
                refusals.add(new Refusal(e.reason(), "bundle " + referrer.digest() + ": " + e.getMessage()));
            }
        }
        Optional<ArtifactManifest> legacy = source.taggedManifest(source.referrersTag() + ".sig");
        if (legacy.isPresent()) {
            for (Descriptor layer : legacy.get().layers()) {
                if (!SIMPLESIGNING_TYPE.equals(layer.mediaType())) {
                    continue;
                }
                found++;
                try {
                    return verifySimpleSigning(source, legacy.get().digest(), layer);
                } catch (SignatureRefusedException e) {
                    refusals.add(new Refusal(
                            e.reason(),
                            "signature " + source.referrersTag() + ".sig layer " + layer.digest() + ": "
                                    + e.getMessage()));
                }
            }
        }
        String where =
                source.reference().repositoryUrl() + "@" + source.subject().digest();
        if (found == 0) {
            throw new EngineException(
                    Reason.SignatureNotFound,
                    where + " has no cosign signature (no Sigstore bundle referrer and no "
                            + source.referrersTag() + ".sig tag). Sign this digest: 'cosign sign "
                            + (keyless == null ? "--key cosign.key " : "")
                            + source.reference().registry()
                            + "/" + source.reference().repository() + "@"
                            + source.subject().digest() + "'.");
        }
        throw refusal(where, refusals, keyless != null);
    }

    /** The most telling refusal (a trusted key verified a signature that is wrong in another way, before an unknown signer). */
    private static EngineException refusal(String where, List<Refusal> refusals, boolean keyless) {
        Reason reason = refusals.stream()
                .map(Refusal::reason)
                .filter(r -> r != Reason.SignerNotTrusted)
                .findFirst()
                .orElse(Reason.SignerNotTrusted);
        StringBuilder message = new StringBuilder("No cosign signature of " + where
                + (keyless ? " verifies as made by a trusted identity: " : " verifies with the trusted key(s): "));
        for (int i = 0; i < refusals.size() && i < 3; i++) {
            message.append(i == 0 ? "" : "; ").append(refusals.get(i).message());
        }
        if (refusals.size() > 3) {
            message.append("; and ").append(refusals.size() - 3).append(" more");
        }
        message.append(". ")
                .append(
                        reason == Reason.SignerNotTrusted
                                ? (keyless
                                        ? "Sign this digest as a trusted identity, or add the signer's identity and issuer to matchOIDCIdentity."
                                        : "Sign this digest with a trusted key, or add the signer's public key to the policy.")
                                : "Sign this digest again ('cosign sign ...'); a re-pushed chart needs a new signature.");
        return new EngineException(reason, message.toString());
    }

    private VerificationResult verifyBundle(SignatureSource source, String signatureDigest, byte[] bundleBytes) {
        JsonNode bundle = SignatureRefusedException.jsonObject(bundleBytes, "the bundle");
        String mediaType = bundle.path("mediaType").asText("");
        if (!mediaType.startsWith("application/vnd.dev.sigstore.bundle")) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "not a Sigstore bundle (mediaType '" + mediaType + "')");
        }
        JsonNode material = bundle.path("verificationMaterial");
        boolean withCertificate = material.has("certificate") || material.has("x509CertificateChain");
        if (withCertificate && keyless == null) {
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted, "made keyless (with a certificate), but the policy trusts keys");
        }
        if (!withCertificate && keyless != null) {
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted,
                    "made with a key (no certificate), but the policy trusts keyless identities");
        }
        JsonNode envelope = bundle.path("dsseEnvelope");
        if (!envelope.isObject()) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "the bundle has no DSSE envelope (cosign sign writes one)");
        }
        String payloadType = envelope.path("payloadType").asText("");
        byte[] payload = base64(envelope.path("payload").asText(""), "the DSSE payload");
        byte[] pae = pae(payloadType, payload);
        if (keyless != null) {
            JsonNode signatures = envelope.path("signatures");
            if (signatures.size() != 1) {
                throw new SignatureRefusedException(
                        Reason.SignatureInvalid,
                        "a keyless bundle has exactly one DSSE signature, this one " + signatures.size());
            }
            List<byte[]> timestamps = new ArrayList<>();
            for (JsonNode timestamp : material.path("timestampVerificationData").path("rfc3161Timestamps")) {
                timestamps.add(base64(timestamp.path("signedTimestamp").asText(""), "a signed timestamp"));
            }
            Signer signer = keyless.verify(
                    bundleCertificate(material),
                    pae,
                    base64(signatures.get(0).path("sig").asText(""), "the DSSE signature"),
                    timestamps);
            return statementResult(source, payload, signer, signatureDigest, KeylessVerification.NOT_CHECKED);
        }
        String hint = material.path("publicKey").path("hint").asText(null);
        PublicKeys.TrustedKey signer = null;
        for (JsonNode sig : envelope.path("signatures")) {
            byte[] signature = base64(sig.path("sig").asText(""), "the DSSE signature");
            signer = keys.stream()
                    .filter(k -> PublicKeys.verifies(k.key(), pae, signature))
                    .findFirst()
                    .orElse(null);
            if (signer != null) {
                break;
            }
        }
        if (signer == null) {
            PublicKeys.TrustedKey hinted = hint == null
                    ? null
                    : keys.stream()
                            .filter(k -> matchesHint(k, hint))
                            .findFirst()
                            .orElse(null);
            if (hinted != null) {
                throw new SignatureRefusedException(
                        Reason.SignatureInvalid,
                        "the bundle names trusted key " + hinted.fingerprint()
                                + " but its signature does not verify: altered after signing");
            }
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted,
                    "no trusted key verifies its signature (made with another key"
                            + (hint == null ? ", or altered" : ", hint " + hint) + ")");
        }
        return statementResult(source, payload, Signer.key(signer.fingerprint()), signatureDigest, NOT_CHECKED);
    }

    /** The result for a verified DSSE signature, if its in-toto statement is a cosign signature of the subject. */
    private static VerificationResult statementResult(
            SignatureSource source, byte[] payload, Signer signer, String signatureDigest, String notChecked) {
        JsonNode statement = SignatureRefusedException.jsonObject(payload, "the in-toto statement");
        String predicateType = statement.path("predicateType").asText("");
        if (!COSIGN_SIGN_PREDICATE.equals(predicateType)) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "it is an attestation (" + predicateType + "), not a 'cosign sign' signature");
        }
        String expected = source.subject().digest();
        String algorithm = expected.substring(0, expected.indexOf(':'));
        String hex = expected.substring(expected.indexOf(':') + 1);
        List<String> named = new ArrayList<>();
        for (JsonNode subject : statement.path("subject")) {
            String value = subject.path("digest").path(algorithm).asText(null);
            if (hex.equals(value)) {
                return new VerificationResult(
                        Provider.COSIGN,
                        expected,
                        signer,
                        signatureDigest,
                        "sigstore-bundle",
                        Instant.now(),
                        List.of(notChecked));
            }
            named.add(algorithm + ":" + value);
        }
        throw new SignatureRefusedException(Reason.SignatureInvalid, "it signs " + named + ", not " + expected);
    }

    private VerificationResult verifySimpleSigning(SignatureSource source, String signatureDigest, Descriptor layer) {
        String encoded = layer.annotations().get(SIGNATURE_ANNOTATION);
        if (encoded == null) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "the layer has no " + SIGNATURE_ANNOTATION + " annotation");
        }
        byte[] signature = base64(encoded, "the signature annotation");
        byte[] payload = source.blob(layer);
        Signer signer = keyless != null
                ? legacyKeylessSigner(layer, payload, signature)
                : keys.stream()
                        .filter(k -> PublicKeys.verifies(k.key(), payload, signature))
                        .findFirst()
                        .map(k -> Signer.key(k.fingerprint()))
                        .orElseThrow(() -> new SignatureRefusedException(
                                Reason.SignerNotTrusted,
                                "no trusted key verifies it (made with another key, or altered)"));
        JsonNode critical =
                field(SignatureRefusedException.jsonObject(payload, "the simplesigning payload"), "critical");
        String type = field(critical, "type").asText("");
        if (!"cosign container image signature".equals(type)) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "its payload type is '" + type + "', not 'cosign container image signature'");
        }
        String digest =
                field(field(critical, "image"), "docker-manifest-digest").asText("");
        if (!source.subject().digest().equals(digest)) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "it signs " + (digest.isEmpty() ? "no digest" : digest) + ", not "
                            + source.subject().digest() + " (cosign: invalid or missing digest in claim)");
        }
        return new VerificationResult(
                Provider.COSIGN,
                digest,
                signer,
                signatureDigest,
                "cosign-simplesigning",
                Instant.now(),
                List.of(keyless != null ? KeylessVerification.NOT_CHECKED : NOT_CHECKED));
    }

    /** A keyless signature in the legacy format: certificate and RFC 3161 timestamp in the layer's annotations. */
    private Signer legacyKeylessSigner(Descriptor layer, byte[] payload, byte[] signature) {
        String pem = layer.annotations().get(CERTIFICATE_ANNOTATION);
        if (pem == null) {
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted,
                    "made with a key (no " + CERTIFICATE_ANNOTATION + "), but the policy trusts keyless identities");
        }
        List<byte[]> timestamps = new ArrayList<>();
        String timestamp = layer.annotations().get(TIMESTAMP_ANNOTATION);
        if (timestamp != null) {
            JsonNode json = SignatureRefusedException.jsonObject(
                    timestamp.getBytes(StandardCharsets.UTF_8), "the " + TIMESTAMP_ANNOTATION + " annotation");
            timestamps.add(base64(field(json, "SignedRFC3161Timestamp").asText(""), "the signed timestamp"));
        }
        java.util.regex.Matcher block = java.util.regex.Pattern.compile(
                        "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----")
                .matcher(pem);
        if (!block.find()) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "the " + CERTIFICATE_ANNOTATION + " annotation is not a PEM certificate");
        }
        return keyless.verify(certificate(block.group(1).replaceAll("\\s", "")), payload, signature, timestamps);
    }

    /** The signing certificate of a bundle: {@code certificate} (v0.3) or the first of {@code x509CertificateChain}. */
    private static java.security.cert.X509Certificate bundleCertificate(JsonNode material) {
        JsonNode raw = material.has("certificate")
                ? material.path("certificate").path("rawBytes")
                : material.path("x509CertificateChain")
                        .path("certificates")
                        .path(0)
                        .path("rawBytes");
        return certificate(raw.asText(""));
    }

    private static java.security.cert.X509Certificate certificate(String base64Der) {
        try {
            return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(
                            new java.io.ByteArrayInputStream(Base64.getDecoder().decode(base64Der)));
        } catch (java.security.cert.CertificateException | IllegalArgumentException e) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "its signing certificate is not base64 DER X.509");
        }
    }

    /** DSSE pre-authentication encoding: {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}. */
    static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] pae = new byte[head.length + payload.length];
        System.arraycopy(head, 0, pae, 0, head.length);
        System.arraycopy(payload, 0, pae, head.length, payload.length);
        return pae;
    }

    private static boolean matchesHint(PublicKeys.TrustedKey key, String hint) {
        byte[] sha = java.util.HexFormat.of().parseHex(key.fingerprint().substring("sha256:".length()));
        return hint.equals(Base64.getEncoder().encodeToString(sha))
                || hint.equalsIgnoreCase(key.fingerprint().substring("sha256:".length()));
    }

    /** A JSON field matched case-insensitively, as Go's encoding/json does (cosign payloads vary in case). */
    private static JsonNode field(JsonNode node, String name) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static byte[] base64(String text, String what) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new SignatureRefusedException(Reason.SignatureInvalid, what + " is not base64");
        }
    }
}
