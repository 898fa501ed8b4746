package io.helmoci.engine.verify;

import io.helmoci.engine.Reason;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * RFC 3161 signed timestamps over a signature (BouncyCastle TSP): the token's message imprint is
 * the hash of the signature bytes, and the token verifies with a time-stamping certificate that
 * chains (PKIX, at the token's time) to a trusted certificate. Refusals are
 * {@link Reason#CertificateInvalid}.
 */
final class SignedTimestamps {
    private static final Map<ASN1ObjectIdentifier, String> HASHES = Map.of(
            NISTObjectIdentifiers.id_sha256, "SHA-256",
            NISTObjectIdentifiers.id_sha384, "SHA-384",
            NISTObjectIdentifiers.id_sha512, "SHA-512");

    private SignedTimestamps() {}

    /** A DER time-stamp response, or a bare token (CMS ContentInfo), as a token. */
    static TimeStampToken token(byte[] encoded) {
        try {
            TimeStampToken token = new TimeStampResponse(encoded).getTimeStampToken();
            if (token != null) {
                return token;
            }
        } catch (TSPException | IOException | RuntimeException e) {
            // not a response: maybe a bare token
        }
        try {
            return new TimeStampToken(new CMSSignedData(encoded));
        } catch (TSPException | CMSException | IOException | RuntimeException e) {
            throw refused("a signed timestamp is not an RFC 3161 time-stamp token");
        }
    }

    /** The token's time, if its message imprint is the hash of {@code signature}. */
    static Instant imprintedTime(TimeStampToken token, byte[] signature) {
        TimeStampTokenInfo info = token.getTimeStampInfo();
        String hash = HASHES.get(info.getMessageImprintAlgOID());
        if (hash == null) {
            throw refused("a timestamp uses the unsupported hash " + info.getMessageImprintAlgOID());
        }
        try {
            if (!Arrays.equals(MessageDigest.getInstance(hash).digest(signature), info.getMessageImprintDigest())) {
                throw refused("a timestamp covers other data than the signature");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return info.getGenTime().toInstant();
    }

    /** Whether the token is signed by {@code signer} (its signature, certificate id and time-stamping usage). */
    static boolean signedBy(TimeStampToken token, X509Certificate signer) {
        try {
            if (!token.getSID().match(new X509CertificateHolder(signer.getEncoded()))) {
                return false;
            }
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(signer));
            return true;
        } catch (TSPException | OperatorCreationException | IOException | GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Notation's way: the time of a timestamp whose signing certificate is embedded in the token and
     * chains, at that time, to one of {@code trustAnchors} (the policy's {@code tsa:} trust stores).
     */
    static Instant verifiedTime(byte[] encoded, byte[] signature, Collection<X509Certificate> trustAnchors) {
        TimeStampToken token = token(encoded);
        Instant time = imprintedTime(token, signature);
        List<X509Certificate> embedded = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder holder : token.getCertificates().getMatches(null)) {
            try {
                embedded.add(converter.getCertificate(holder));
            } catch (GeneralSecurityException e) {
                // not usable: skipped
            }
        }
        for (X509Certificate candidate : embedded) {
            if (!signedBy(token, candidate)) {
                continue;
            }
            List<X509Certificate> intermediates = new ArrayList<>(embedded);
            intermediates.remove(candidate);
            if (chainsToAny(candidate, intermediates, trustAnchors, time)) {
                return time;
            }
            throw refused("the timestamp (" + time + ") is signed by "
                    + candidate.getSubjectX500Principal().getName()
                    + ", which does not chain to a certificate of the tsa trust store");
        }
        throw refused("the timestamp (" + time + ") carries no certificate that signed it"
                + " (sign with 'notation sign --timestamp-url ... --timestamp-root-cert ...')");
    }

    /** PKIX at {@code time}: {@code certificate} through {@code intermediates} to one of {@code anchors}. */
    static boolean chainsToAny(
            X509Certificate certificate,
            List<X509Certificate> intermediates,
            Collection<X509Certificate> anchors,
            Instant time) {
        if (anchors.isEmpty()) {
            return false;
        }
        try {
            // Build the path leaf-up from the intermediates until an anchor issues it.
            List<X509Certificate> path = new ArrayList<>();
            path.add(certificate);
            Set<X509Certificate> unused = new HashSet<>(intermediates);
            X509Certificate last = certificate;
            while (anchors.stream().noneMatch(a -> issues(a, pathEnd(path)))) {
                X509Certificate current = last;
                X509Certificate next = unused.stream()
                        .filter(c -> issues(c, current))
                        .findFirst()
                        .orElse(null);
                if (next == null) {
                    return false;
                }
                unused.remove(next);
                path.add(next);
                last = next;
            }
            Set<TrustAnchor> trustAnchors = new HashSet<>();
            anchors.forEach(a -> trustAnchors.add(new TrustAnchor(a, null)));
            // A trusted certificate that is itself in the path (a self-signed anchor) ends the path before it.
            path.removeIf(anchors::contains);
            if (path.isEmpty()) {
                return certificate.getNotBefore().toInstant().isBefore(time)
                        && certificate.getNotAfter().toInstant().isAfter(time);
            }
            PKIXParameters parameters = new PKIXParameters(trustAnchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(time));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static X509Certificate pathEnd(List<X509Certificate> path) {
        return path.get(path.size() - 1);
    }

    private static boolean issues(X509Certificate issuer, X509Certificate subject) {
        if (issuer.equals(subject)) {
            return true; // the certificate itself is trusted
        }
        if (!issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal())) {
            return false;
        }
        try {
            subject.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static SignatureRefusedException refused(String message) {
        return new SignatureRefusedException(Reason.CertificateInvalid, message);
    }
}
