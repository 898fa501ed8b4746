package io.helmoci.engine.verify;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * Cosign keyless: a signature made with the short-lived key of a Fulcio certificate is trusted when
 * <ol>
 * <li>the certificate's key verifies the signature;</li>
 * <li>an RFC 3161 signed timestamp over the signature, from a timestamp authority of the trusted
 *     root, proves when it was made (the certificate lives minutes; the timestamp is what makes the
 *     signature verifiable after it expired);</li>
 * <li>at that time the certificate was valid and chained to a certificate authority of the trusted
 *     root that was valid then (PKIX, the JDK's validator), with the code-signing key usage;</li>
 * <li>its identity and OIDC issuer match one of the policy's {@code matchOIDCIdentity} regular
 *     expressions (unanchored, as {@code cosign verify --certificate-identity-regexp} and Flux match
 *     them: anchor with {@code ^...$}).</li>
 * </ol>
 * Not checked (said on every result): transparency-log entries (a bundle proven only by a Rekor entry,
 * without a signed timestamp, is refused) and certificate-transparency SCTs.
 */
final class KeylessVerification {
    static final String NOT_CHECKED = "not checked: transparency-log entries and certificate-transparency SCTs"
            + " (keyless verification proves the signing time with a signed timestamp, as 'cosign verify"
            + " --use-signed-timestamps --insecure-ignore-tlog --insecure-ignore-sct')";
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

    private record Matcher(Pattern issuer, Pattern subject) {
        boolean matches(FulcioCertificate identity) {
            return issuer.matcher(identity.issuer()).find()
                    && subject.matcher(identity.subject()).find();
        }
    }

    private final SigstoreTrustedRoot root;
    private final List<Matcher> identities;
    private final List<VerificationPolicy.IdentityMatcher> policyIdentities;

    KeylessVerification(VerificationPolicy policy) {
        if (policy.identities().isEmpty()) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Cosign keyless verification needs at least one identity to trust: give the certificate"
                            + " identity and OIDC issuer regular expressions (matchOIDCIdentity, or"
                            + " --certificate-identity-regexp and --certificate-oidc-issuer-regexp).");
        }
        this.policyIdentities = policy.identities();
        this.identities = policy.identities().stream()
                .map(i -> new Matcher(pattern(i.issuer(), "OIDC issuer"), pattern(i.subject(), "certificate identity")))
                .toList();
        this.root = policy.trustedRoot() == null
                ? SigstoreTrustedRoot.defaultRoot(System::getenv)
                : SigstoreTrustedRoot.parse(policy.trustedRoot());
    }

    /**
     * Verifies one keyless signature.
     *
     * @param certificate      the signing certificate (the bundle's leaf)
     * @param signed           the bytes the signature covers (the DSSE pre-authentication encoding)
     * @param signature        the raw signature, which the timestamps cover
     * @param signedTimestamps DER RFC 3161 time-stamp responses (or bare tokens) from the bundle
     * @return who signed: the certificate identity and its OIDC issuer
     */
    Signer verify(X509Certificate certificate, byte[] signed, byte[] signature, List<byte[]> signedTimestamps) {
        if (!PublicKeys.verifies(certificate.getPublicKey(), signed, signature)) {
            throw new SignatureRefusedException(
                    Reason.SignatureInvalid,
                    "its signature does not verify with its certificate's key: altered after signing");
        }
        List<Instant> times = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (byte[] timestamp : signedTimestamps) {
            try {
                times.add(timestampTime(timestamp, signature));
            } catch (SignatureRefusedException e) {
                problems.add(e.getMessage());
            }
        }
        String validity =
                "the certificate was valid from " + certificate.getNotBefore().toInstant() + " to "
                        + certificate.getNotAfter().toInstant();
        if (times.isEmpty()) {
            throw new SignatureRefusedException(
                    Reason.CertificateInvalid,
                    (signedTimestamps.isEmpty()
                                    ? "it has no signed timestamp"
                                    : "no signed timestamp verifies (" + String.join("; ", problems) + ")")
                            + ", so the time it was signed is not proven (" + validity + ")"
                            + (root.timestampAuthorities().isEmpty()
                                    ? "; the trusted root names no timestamp authority"
                                    : "")
                            + ". Sign with a timestamp authority of the trusted root"
                            + " ('cosign sign --timestamp-server-url ...', or a signing config with one)");
        }
        for (Instant time : times) {
            if (certificate.getNotBefore().toInstant().isAfter(time)
                    || certificate.getNotAfter().toInstant().isBefore(time)) {
                throw new SignatureRefusedException(
                        Reason.CertificateInvalid,
                        "it was timestamped at " + time + ", when its certificate was not valid (" + validity + ")");
            }
            if (root.certificateAuthorities().stream()
                    .noneMatch(ca -> ca.validAt(time) && chains(certificate, ca.chain(), time))) {
                throw new SignatureRefusedException(
                        Reason.CertificateInvalid,
                        "its certificate (issued by "
                                + certificate.getIssuerX500Principal().getName()
                                + ") does not chain to a certificate authority of the trusted root valid at "
                                + time
                                + ". Sign with your Sigstore deployment's Fulcio, or give its trusted_root.json");
            }
        }
        if (!hasCodeSigningUsage(certificate)) {
            throw new SignatureRefusedException(
                    Reason.CertificateInvalid, "its certificate is not for code signing (extended key usage)");
        }
        FulcioCertificate identity = FulcioCertificate.of(certificate);
        if (identities.stream().noneMatch(m -> m.matches(identity))) {
            throw new SignatureRefusedException(
                    Reason.SignerNotTrusted,
                    "its certificate identity '" + identity.subject() + "' (OIDC issuer '" + identity.issuer()
                            + "') matches no trusted identity " + describe(policyIdentities));
        }
        return Signer.certificate(identity.subject(), identity.issuer());
    }

    /** When an RFC 3161 timestamp over {@code signature} says it was made, if a timestamp authority of the root signed it. */
    private Instant timestampTime(byte[] encoded, byte[] signature) {
        TimeStampToken token = SignedTimestamps.token(encoded);
        Instant time = SignedTimestamps.imprintedTime(token, signature);
        for (SigstoreTrustedRoot.Authority tsa : root.timestampAuthorities()) {
            X509Certificate signer = tsa.chain().get(0);
            if (!tsa.validAt(time) || !SignedTimestamps.signedBy(token, signer)) {
                continue;
            }
            List<X509Certificate> issuers = tsa.chain().subList(1, tsa.chain().size());
            if (issuers.isEmpty() || chains(signer, issuers, time)) {
                return time;
            }
        }
        throw new SignatureRefusedException(
                Reason.CertificateInvalid,
                "a timestamp (" + time + ") is not signed by a timestamp authority of the trusted root");
    }

    /** Whether {@code certificate} chains through {@code issuers} (intermediates first, the root last) at {@code time}. */
    static boolean chains(X509Certificate certificate, List<X509Certificate> issuers, Instant time) {
        try {
            List<X509Certificate> path = new ArrayList<>();
            path.add(certificate);
            path.addAll(issuers.subList(0, issuers.size() - 1));
            PKIXParameters parameters =
                    new PKIXParameters(Set.of(new TrustAnchor(issuers.get(issuers.size() - 1), null)));
            parameters.setRevocationEnabled(false); // short-lived certificates: no CRL or OCSP in Sigstore
            parameters.setDate(Date.from(time));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean hasCodeSigningUsage(X509Certificate certificate) {
        try {
            List<String> usages = certificate.getExtendedKeyUsage();
            return usages != null && usages.contains(CODE_SIGNING);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    private static Pattern pattern(String regex, String what) {
        if (regex == null || regex.isEmpty()) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "A trusted keyless identity has no " + what + " regular expression. Give both the"
                            + " certificate identity and the OIDC issuer (use '.*' to accept any, knowingly).");
        }
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "The " + what + " regular expression '" + regex + "' is invalid (" + e.getDescription()
                            + "). Fix it.");
        }
    }

    private static String describe(List<VerificationPolicy.IdentityMatcher> identities) {
        StringBuilder text = new StringBuilder();
        for (VerificationPolicy.IdentityMatcher identity : identities) {
            text.append(text.isEmpty() ? "" : ", ")
                    .append("{subject '")
                    .append(identity.subject())
                    .append("', issuer '")
                    .append(identity.issuer())
                    .append("'}");
        }
        return text.toString();
    }
}
