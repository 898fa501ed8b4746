package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.verify.NotationTrustPolicy.Action;
import io.helmoci.engine.verify.NotationTrustPolicy.Check;
import io.helmoci.engine.verify.NotationTrustPolicy.Statement;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Notary Project (notation) JWS signatures, found as referrers of artifact type
 * {@code application/vnd.cncf.notary.signature}, verified under the trust policy statement whose
 * registry scope holds the repository, with notation's checks and the level's action for each:
 * <ul>
 * <li>integrity (always enforced unless skip): the JWS verifies with the leaf certificate of its
 *     {@code x5c} chain, the chain is well formed, and the payload's {@code targetArtifact} is this
 *     manifest (digest, size, media type);</li>
 * <li>authenticity: a certificate of the chain is in one of the statement's trust stores, and the
 *     leaf's subject holds every attribute of a trusted {@code x509.subject} identity;</li>
 * <li>authentic timestamp: when the statement names a {@code tsa:} trust store, the RFC 3161
 *     countersignature ({@code io.cncf.notary.timestampSignature}) must verify against it and its time
 *     fall within every certificate's validity (notation's {@code verifyTimestamp: always}); otherwise
 *     every certificate of the chain must be valid now;</li>
 * <li>expiry: the {@code io.cncf.notary.expiry} header, if present, is in the future;</li>
 * <li>revocation: not checked (no OCSP/CRL requests): reported as a warning when not skipped.</li>
 * </ul>
 * Checks the level only logs become warnings in the result. COSE envelopes are not supported.
 */
final class NotationVerifier implements SignatureVerifier {
    static final String SIGNATURE_TYPE = "application/vnd.cncf.notary.signature";
    static final String JWS_TYPE = "application/jose+json";
    static final String PAYLOAD_TYPE = "application/vnd.cncf.notary.payload.v1+json";
    /** The JWS unprotected header holding the RFC 3161 countersignature (DER token) over the signature. */
    static final String TIMESTAMP_HEADER = "io.cncf.notary.timestampSignature";

    private static final Set<String> KNOWN_CRITICAL =
            Set.of("io.cncf.notary.signingScheme", "io.cncf.notary.expiry", "io.cncf.notary.authenticSigningTime");

    private final NotationTrustPolicy policy;
    private final Map<String, List<X509Certificate>> trustStores = new HashMap<>();

    NotationVerifier(VerificationPolicy policy) {
        this.policy = NotationTrustPolicy.parse(policy.trustPolicy());
        policy.trustStores().forEach((name, files) -> {
            List<X509Certificate> certificates = new ArrayList<>();
            for (byte[] file : files) {
                certificates.addAll(certificates(file, name));
            }
            trustStores.put(name, certificates);
        });
    }

    private record Refusal(Reason reason, String message) {}

    @Override
    public VerificationResult verify(SignatureSource source) {
        String repository =
                source.reference().registry() + "/" + source.reference().repository();
        Statement statement = policy.applicableTo(repository);
        String where =
                source.reference().repositoryUrl() + "@" + source.subject().digest();
        if ("skip".equals(statement.level())) {
            return new VerificationResult(
                    Provider.NOTATION,
                    source.subject().digest(),
                    null,
                    null,
                    "notation-skip",
                    Instant.now(),
                    List.of("trust policy statement '" + statement.name() + "' skips signature verification for "
                            + repository));
        }
        for (String store : statement.trustStores()) {
            if (!trustStores.containsKey(store) || trustStores.get(store).isEmpty()) {
                throw new EngineException(
                        Reason.VerificationPolicyInvalid,
                        "The trust policy statement '" + statement.name()
                                + "' names trust store " + store
                                + ", which has no certificates. Add the signing CA's certificate to that trust"
                                + " store (notation keeps it in truststore/x509/" + store.replace(':', '/') + "/).");
            }
        }
        List<Refusal> refusals = new ArrayList<>();
        int found = 0;
        for (Descriptor referrer : source.referrers(SIGNATURE_TYPE)) {
            found++;
            ArtifactManifest manifest = source.manifest(referrer);
            Descriptor envelope = manifest.layers().stream().findFirst().orElse(null);
            if (envelope == null || !JWS_TYPE.equals(envelope.mediaType())) {
                refusals.add(new Refusal(
                        Reason.SignatureInvalid,
                        "signature " + referrer.digest() + " is "
                                + (envelope == null
                                        ? "empty"
                                        : envelope.mediaType()
                                                + " (only JWS is supported; sign with --signature-format jws)")));
                continue;
            }
            try {
                return verifyEnvelope(source, statement, manifest.digest(), source.blob(envelope));
            } catch (SignatureRefusedException e) {
                refusals.add(new Refusal(e.reason(), "signature " + referrer.digest() + ": " + e.getMessage()));
            }
        }
        if (found == 0) {
            throw new EngineException(
                    Reason.SignatureNotFound,
                    where + " has no notation signature (no referrer of type "
                            + SIGNATURE_TYPE + "). Sign this digest: 'notation sign "
                            + source.reference().registry() + "/"
                            + source.reference().repository() + "@"
                            + source.subject().digest() + "'.");
        }
        Refusal first = refusals.stream()
                .filter(r -> r.reason() != Reason.SignerNotTrusted)
                .findFirst()
                .orElse(refusals.get(0));
        StringBuilder message = new StringBuilder("No notation signature of " + where
                + " verifies under trust policy statement '" + statement.name() + "' (" + statement.level() + "): ");
        for (int i = 0; i < refusals.size() && i < 3; i++) {
            message.append(i == 0 ? "" : "; ").append(refusals.get(i).message());
        }
        message.append(". ").append(remedy(first.reason()));
        throw new EngineException(first.reason(), message.toString());
    }

    private static String remedy(Reason reason) {
        return switch (reason) {
            case SignerNotTrusted ->
                "Sign with a certificate the trust policy trusts, or add its CA to the trust store and its subject to trustedIdentities.";
            case CertificateInvalid -> "Sign again with a certificate that is valid now and chains to a trusted root.";
            default -> "Sign this digest again with 'notation sign'; a re-pushed chart needs a new signature.";
        };
    }

    private VerificationResult verifyEnvelope(
            SignatureSource source, Statement statement, String signatureDigest, byte[] envelopeBytes) {
        List<String> warnings = new ArrayList<>();
        JsonNode envelope = SignatureRefusedException.jsonObject(envelopeBytes, "the JWS envelope");
        List<X509Certificate> chain = new ArrayList<>();
        for (JsonNode der : envelope.path("header").path("x5c")) {
            try {
                chain.addAll(certificates(Base64.getDecoder().decode(der.asText()), "x5c"));
            } catch (IllegalArgumentException | EngineException e) {
                throw new SignatureRefusedException(
                        Reason.SignatureInvalid, "its x5c certificate chain does not parse");
            }
        }
        if (chain.isEmpty()) {
            throw new SignatureRefusedException(Reason.SignatureInvalid, "its envelope has no x5c certificate chain");
        }
        X509Certificate leaf = chain.get(0);

        // Integrity: the JWS itself, its critical headers, the chain's own signatures, the payload's target.
        JWSObject jws;
        try {
            jws = new JWSObject(
                    new Base64URL(envelope.path("protected").asText("")),
                    new Base64URL(envelope.path("payload").asText("")),
                    new Base64URL(envelope.path("signature").asText("")));
        } catch (ParseException e) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "its JWS does not parse (" + e.getMessage() + ")");
        }
        Set<String> critical = jws.getHeader().getCriticalParams() == null
                ? Set.of()
                : jws.getHeader().getCriticalParams();
        Set<String> unknown = new HashSet<>(critical);
        unknown.removeAll(KNOWN_CRITICAL);
        if (!unknown.isEmpty()) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "it has critical headers this verifier does not support " + unknown
                            + " (a verification plugin is needed)");
        }
        String scheme = String.valueOf(jws.getHeader().getCustomParam("io.cncf.notary.signingScheme"));
        if (!"notary.x509".equals(scheme) && !"notary.x509.signingAuthority".equals(scheme)) {
            throw new SignatureRefusedException(Reason.SignatureInvalid, "it has signing scheme '" + scheme + "'");
        }
        if (!PAYLOAD_TYPE.equals(jws.getHeader().getContentType())) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "its content type is '" + jws.getHeader().getContentType() + "'");
        }
        if (!verifies(jws, leaf.getPublicKey(), critical)) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "its JWS signature does not verify with its own signing certificate:" + " altered after signing");
        }
        checkChainSignatures(chain);
        JsonNode target = SignatureRefusedException.jsonObject(jws.getPayload().toBytes(), "the JWS payload")
                .path("targetArtifact");
        Descriptor subject = source.subject();
        if (!subject.digest().equals(target.path("digest").asText())
                || (subject.size() >= 0 && subject.size() != target.path("size").asLong(-1))
                || (subject.mediaType() != null
                        && !subject.mediaType().equals(target.path("mediaType").asText()))) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "it signs " + target.path("digest").asText() + " ("
                            + target.path("mediaType").asText() + ", "
                            + target.path("size").asLong(-1) + " bytes), not " + subject.digest());
        }

        // Authenticity: the chain reaches a trusted certificate, and the leaf is a trusted identity.
        String signer = leaf.getSubjectX500Principal().getName(X500Principal.RFC2253);
        String issuer = leaf.getIssuerX500Principal().getName(X500Principal.RFC2253);
        List<String> storeTypes = statement.trustStores().stream()
                .map(s -> s.substring(0, s.indexOf(':')))
                .toList();
        String expectedType = "notary.x509".equals(scheme) ? "ca" : "signingAuthority";
        boolean trusted = storeTypes.contains(expectedType)
                && statement.trustStores().stream()
                        .filter(s -> s.startsWith(expectedType + ":"))
                        .flatMap(s -> trustStores.get(s).stream())
                        .anyMatch(t -> chain.stream().anyMatch(c -> Arrays.equals(encoded(c), encoded(t))));
        apply(
                statement,
                Check.AUTHENTICITY,
                trusted,
                Reason.SignerNotTrusted,
                "its certificate chain (" + signer + ", issued by " + issuer
                        + ") does not lead to a certificate in trust store(s) " + statement.trustStores() + " of type "
                        + expectedType,
                warnings);
        apply(
                statement,
                Check.AUTHENTICITY,
                trustedIdentity(statement.trustedIdentities(), leaf),
                Reason.SignerNotTrusted,
                "its signer " + signer + " is not among the trusted identities " + statement.trustedIdentities(),
                warnings);

        // Authentic timestamp, as notation: with a tsa trust store in the statement the RFC 3161
        // countersignature must be present, verify against that store, and fall within every
        // certificate's validity; without one, the chain must be valid now.
        List<X509Certificate> tsaCertificates = statement.trustStores().stream()
                .filter(s -> s.startsWith("tsa:"))
                .flatMap(s -> trustStores.getOrDefault(s, List.of()).stream())
                .toList();
        boolean tsaInPolicy = statement.trustStores().stream().anyMatch(s -> s.startsWith("tsa:"));
        String timeProblem;
        if (tsaInPolicy) {
            timeProblem = timestampProblem(
                    envelope.path("header").path(TIMESTAMP_HEADER).asText(null),
                    jws.getSignature().decode(),
                    tsaCertificates,
                    chain);
        } else {
            X509Certificate expired =
                    chain.stream().filter(c -> !validNow(c)).findFirst().orElse(null);
            timeProblem = expired == null
                    ? null
                    : "certificate " + expired.getSubjectX500Principal().getName(X500Principal.RFC2253)
                            + " is not valid now (valid "
                            + expired.getNotBefore().toInstant() + " to "
                            + expired.getNotAfter().toInstant() + ")";
            if (envelope.path("header").has(TIMESTAMP_HEADER)
                    && statement.action(Check.AUTHENTIC_TIMESTAMP) != Action.SKIP) {
                warnings.add("the RFC 3161 timestamp countersignature was not verified (the trust policy names no"
                        + " tsa trust store); the certificates were checked against the current time");
            }
        }
        apply(
                statement,
                Check.AUTHENTIC_TIMESTAMP,
                timeProblem == null,
                Reason.CertificateInvalid,
                timeProblem == null ? "" : timeProblem,
                warnings);

        Object expiry = jws.getHeader().getCustomParam("io.cncf.notary.expiry");
        boolean notExpired = expiry == null || parseTime(String.valueOf(expiry)).isAfter(Instant.now());
        apply(
                statement,
                Check.EXPIRY,
                notExpired,
                Reason.SignatureInvalid,
                "the signature expired at " + expiry,
                warnings);
        if (statement.action(Check.REVOCATION) != Action.SKIP) {
            warnings.add("revocation not checked (no OCSP or CRL requests are made)");
        }
        return new VerificationResult(
                Provider.NOTATION,
                subject.digest(),
                Signer.certificate(signer, issuer),
                signatureDigest,
                "notation-jws",
                Instant.now(),
                warnings);
    }

    /** Enforce: refuse; log: a warning; skip: nothing. */
    private static void apply(
            Statement statement, Check check, boolean passed, Reason reason, String problem, List<String> warnings) {
        if (passed) {
            return;
        }
        switch (statement.action(check)) {
            case ENFORCE -> throw new SignatureRefusedException(reason, problem);
            case LOG ->
                warnings.add(check.name().toLowerCase(java.util.Locale.ROOT) + " (logged by level " + statement.level()
                        + "): " + problem);
            case SKIP -> {}
        }
    }

    private static boolean verifies(JWSObject jws, PublicKey key, Set<String> critical) {
        try {
            JWSVerifier verifier;
            if (key instanceof RSAPublicKey rsa) {
                verifier = new RSASSAVerifier(rsa, critical);
            } else if (key instanceof ECPublicKey ec) {
                verifier = new ECDSAVerifier(ec, critical);
            } else {
                return false;
            }
            return jws.verify(verifier);
        } catch (JOSEException | IllegalStateException e) {
            return false;
        }
    }

    /** Each certificate is signed by the next; the last is self-signed (notation requires a complete chain to a root). */
    private static void checkChainSignatures(List<X509Certificate> chain) {
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : chain.get(i);
            try {
                chain.get(i).verify(issuer.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw new SignatureRefusedException(
                        Reason.CertificateInvalid,
                        "its certificate chain is broken at "
                                + chain.get(i).getSubjectX500Principal().getName(X500Principal.RFC2253)
                                + (i + 1 < chain.size() ? "" : " (the last certificate is not a self-signed root)"));
            }
        }
    }

    /** {@code *}, or {@code x509.subject: <DN>} whose attributes all appear in the leaf's subject (notation's subset match). */
    static boolean trustedIdentity(List<String> identities, X509Certificate leaf) {
        Set<String> subject = rdns(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
        for (String identity : identities) {
            if (identity.equals("*")) {
                return true;
            }
            String dn = identity.substring("x509.subject:".length()).trim();
            Set<String> wanted = rdns(dn);
            if (!wanted.isEmpty() && subject.containsAll(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> rdns(String dn) {
        Set<String> rdns = new HashSet<>();
        try {
            for (Rdn rdn : new LdapName(dn).getRdns()) {
                rdns.add(rdn.getType().toUpperCase(java.util.Locale.ROOT) + "=" + rdn.getValue());
            }
        } catch (InvalidNameException | IllegalArgumentException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "The trusted identity '" + dn + "' is not a distinguished name."
                            + " Write it as notation does: x509.subject: C=US, ST=WA, O=Example, CN=signer");
        }
        return rdns;
    }

    /** Why the countersignature does not prove a time at which the whole chain was valid, or null if it does. */
    private static String timestampProblem(
            String timestamp, byte[] signature, List<X509Certificate> tsaCertificates, List<X509Certificate> chain) {
        if (timestamp == null) {
            return "it has no RFC 3161 timestamp countersignature, which the trust policy's tsa trust store requires"
                    + " (sign with 'notation sign --timestamp-url ... --timestamp-root-cert ...')";
        }
        Instant time;
        try {
            time = SignedTimestamps.verifiedTime(
                    java.util.Base64.getDecoder().decode(timestamp), signature, tsaCertificates);
        } catch (SignatureRefusedException | IllegalArgumentException e) {
            return "its timestamp countersignature does not verify: " + e.getMessage();
        }
        for (X509Certificate certificate : chain) {
            if (time.isBefore(certificate.getNotBefore().toInstant())
                    || time.isAfter(certificate.getNotAfter().toInstant())) {
                return "it was timestamped at " + time + ", outside the validity of certificate "
                        + certificate.getSubjectX500Principal().getName(X500Principal.RFC2253) + " ("
                        + certificate.getNotBefore().toInstant() + " to "
                        + certificate.getNotAfter().toInstant()
                        + ")";
            }
        }
        return null;
    }

    private static boolean validNow(X509Certificate certificate) {
        try {
            certificate.checkValidity();
            return true;
        } catch (CertificateException e) {
            return false;
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateException e) {
            return new byte[0];
        }
    }

    private static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid, "its expiry '" + text + "' is not an RFC 3339 time");
        }
    }

    static List<X509Certificate> certificates(byte[] file, String where) {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (var certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(file))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Trust store " + where + " holds a file that is not a PEM or DER"
                            + " X.509 certificate. Put the CA certificates there as notation does (notation cert add).");
        }
    }
}
